"""The dashboard's coach screen (``a``), through Pilot: offline with no key, and with an
own key against the loopback fake Messages API driven by the real ``anthropic`` SDK.

Each test works on its own copy of the session's 40-game library: the coach writes its
conversation log there, and the other dashboard tests only read theirs. The screen's
screenshot (offline, on a game) is with the others in test_snapshots.py, so regenerating
goldens updates it too.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.coach.fake_messages import Failure, FakeMessages, Turn
from textual.widgets import Input, Markdown, Static

from rlcoach.coach import store
from rlcoach.library.db import open_library
from rlcoach.tui.app import DashboardApp
from rlcoach.tui.data import DashboardData
from rlcoach.tui.screens.coach import CoachScreen
from rlcoach.tui.screens.game import GameScreen

from .conftest import ME_IDENTITY, settle
from .factories import NOW

pytestmark = pytest.mark.anyio


@pytest.fixture
def library_copy(library_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "library.sqlite3"
    shutil.copy(library_file, path)
    return path


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("RLCOACH_TOKEN_STORE", "file")  # no login stored: offline


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch):
    with FakeMessages() as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        yield fake


@pytest.fixture
def make(library_copy: Path):
    made: list[DashboardData] = []

    def build() -> DashboardApp:
        data = DashboardData(library_copy, identity=ME_IDENTITY,
                             config_path=Path("/home/you/.config/rlcoach/rlcoach.toml"))
        made.append(data)
        return DashboardApp(data, now=NOW)

    yield build
    for data in made:
        data.close()


async def until(pilot, done: Callable[[], bool], seconds: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.05)):
        if done():
            await pilot.pause()
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out waiting for the coach screen")


async def open_coach(pilot, *keys: str) -> CoachScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
    await pilot.press("a")
    screen = pilot.app.screen
    assert isinstance(screen, CoachScreen)
    await until(pilot, lambda: not screen.busy or screen.query(".coach-error"))
    return screen


async def ask(pilot, screen: CoachScreen, question: str) -> None:  # type: ignore[no-untyped-def]
    before = screen.answers
    screen.query_one(Input).value = question
    await pilot.press("enter")
    await until(pilot, lambda: screen.answers > before or bool(screen.query(".coach-error")))


def last_answer(screen: CoachScreen) -> str:
    return screen.query(Markdown).last().source


def notes(screen: CoachScreen) -> str:
    return str(screen.query(".answer-notes").last().render())


async def test_offline_on_a_game_shows_its_findings_and_escape_closes(make, offline) -> None:
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_coach(pilot, "enter")  # Home's newest game, then `a`
        game = app.get_screen("game").view.game_id  # type: ignore[attr-defined]
        assert screen.game == game and screen.trend is None
        assert "offline" in str(screen.query_one("#coach-banner", Static).render())
        text = last_answer(screen)
        assert f"Game {game} (" in text and "wins vs" in text and "ballchasing" in text
        # A question offline gets the same findings, said not to have been sent anywhere.
        await ask(pilot, screen, "what should I work on?")
        assert "was not sent anywhere" in last_answer(screen)
        await pilot.press("escape")
        assert isinstance(app.screen, GameScreen)


async def test_offline_from_trends_is_about_the_charted_metrics(make, offline) -> None:
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_coach(pilot, "t")
        assert screen.game is None and screen.trend is not None
        assert screen.trend.metrics == ("core.score", "boost.bpm") and screen.trend.last == 200
        text = last_answer(screen)
        assert "The metrics you are charting" in text
        assert "- Score (" in text and "over 40 games" in text


async def test_own_key_streams_an_answer_scoped_to_the_game(make, api, library_copy) -> None:
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_coach(pilot, "enter")
        game = screen.game
        banner = str(screen.query_one("#coach-banner", Static).render())
        assert "mode: own-key" in banner and "claude-sonnet-4-6" in banner
        assert f"game {game}" in banner
        api.script = [Turn([("tool_use", "game_summary", {"game": game})]),
                      Turn([("text", f"You scored at game {game} @ 0:42 and had 999 shots.")])]
        await ask(pilot, screen, "how did that game go?")
        first, second = api.requests[0].body, api.requests[1].body
        assert f"about game {game}" in json.dumps(first["system"])
        result = second["messages"][-1]["content"][0]
        assert result["type"] == "tool_result" and json.loads(result["content"])["game"] == game
        text = last_answer(screen)
        assert text.startswith("You scored") and "999[?]" in text  # 999: no tool said so
        shown = notes(screen)
        assert "game_summary" in shown and f"ref game {game} @ 0:42" in shown
        assert "unverified" in shown and "tokens: 200 in" in shown
    with open_library(library_copy) as lib:
        thread = store.thread(lib, None)
        assert thread.game_id == game and thread.mode == "own-key"
        assert [m.role for m in store.messages(lib, thread.id)] == ["user", "assistant"]


async def test_escape_stops_the_answer_and_the_conversation_goes_on(make, api) -> None:
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_coach(pilot)
        words = " ".join(f"word{i}" for i in range(200))
        api.script = [Turn([("text", words)], pause=0.02), Turn([("text", "Next answer.")])]
        screen.query_one(Input).value = "tell me everything"
        await pilot.press("enter")
        await until(pilot, lambda: "word3" in last_answer(screen))
        await pilot.press("escape")
        await until(pilot, lambda: not screen.busy)
        assert app.screen is screen  # stopped, not closed
        assert "stopped" in notes(screen) and "word199" not in last_answer(screen)
        await ask(pilot, screen, "and then?")
        assert last_answer(screen) == "Next answer."
        sent = api.requests[-1].body["messages"]
        assert [m["role"] for m in sent] == ["user", "assistant", "user"]
        assert "word0" in json.dumps(sent[1])  # the partial answer stayed in the history


async def test_allowance_used_up_is_one_line_and_the_screen_stays(make, api) -> None:
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_coach(pilot)
        api.script = [Failure(402, "billing_error", "monthly coach allowance used")]
        await ask(pilot, screen, "hi")
        error = str(screen.query(".coach-error").last().render())
        assert "allowance" in error and "rlcoach upgrade" in error
        assert app.screen is screen and not screen.busy
