"""Screenshots of every view and Game tab at 80x24 and 200x60, compared with
committed SVGs, plus the states and sizes that broke before.

Deterministic by construction: factory data with fixed dates, the app's
"now" injected, and each shot taken only after every load has been shown.
Update after an intended change with ``pytest tests/tui --snapshot-update``
and look at the diff before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rlcoach.config import Identity
from rlcoach.library.db import open_library

from .conftest import settle
from .factories import fill

SIZE = (80, 24)


def keys(*pressed: str):  # type: ignore[no-untyped-def]
    """A run_before that presses keys, letting each load land before the next key."""

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return run


# Every view and every Game tab, at the smallest supported terminal and a big one.
SCREENS = {
    "home": (), "games": ("g",), "trends": ("t",), "compare": ("c",),
    "game_overview": ("enter",), "game_boost": ("enter", "2"), "game_movement": ("enter", "3"),
    "insights": ("i",),
    "game_positioning": ("enter", "4"), "game_timeline": ("enter", "5"),
    # The second newest game carries position data.
    "game_heatmap": ("down", "enter", "6"),
}


@pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, make_app, screen: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=keys(*SCREENS[screen]))


def test_home_light_theme(snap_compare, make_app) -> None:
    assert snap_compare(make_app(theme="light"), terminal_size=SIZE, run_before=keys())


def test_game_without_heatmap(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=keys("enter", "6"))


def test_identity_not_configured(snap_compare, make_app) -> None:
    assert snap_compare(make_app(identity=Identity()), terminal_size=SIZE, run_before=keys())


def test_empty_library(snap_compare, make_app, tmp_path: Path) -> None:
    app = make_app(path=tmp_path / "missing.sqlite3")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys())


@pytest.fixture(scope="module")
def small_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "library.sqlite3"
    with open_library(path) as lib:
        fill(lib, 3)
    return path


def test_games_wide(snap_compare, make_app, small_library: Path) -> None:
    """100x30: the layout grows, nothing is cut."""
    app = make_app(path=small_library)
    assert snap_compare(app, terminal_size=(100, 30), run_before=keys("g"))


def test_compare_wide(snap_compare, make_app) -> None:
    """100x30: teammates and opponents get their own columns."""
    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=keys("c"))


@pytest.fixture(scope="module")
def long_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("long") / "library.sqlite3"
    with open_library(path) as lib:
        fill(lib, 120, heatmap_every=10)
    return path


def test_trends_more_games_than_columns(snap_compare, make_app, long_library: Path) -> None:
    """120 games in 80 columns: the chart must fit them, not wrap or cut the newest;
    dates under the axis, session bands, the Diamond mean as a reference line."""
    app = make_app(path=long_library, target_rank="Diamond")
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("t"))


def test_coach_offline_on_a_game(snap_compare, make_app, monkeypatch) -> None:
    """The coach screen (`a`) with no key and no login: the offline findings for the game
    (the screen itself is tested in test_coach_screen.py)."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("RLCOACH_TOKEN_STORE", "file")
    pressed = keys("enter", "a")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pressed(pilot)
        for _ in range(200):  # the findings are parsed off the UI thread, then mounted
            if pilot.app.screen.answers and pilot.app.screen.query("MarkdownBlock"):
                break
            await pilot.pause(0.05)
        pilot.app.screen.query_one("#coach-input").cursor_blink = False  # a still cursor
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
