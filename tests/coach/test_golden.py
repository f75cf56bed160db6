"""Golden questions over a library built from ../shared/replays: the tools a scripted model
calls return the numbers ``rlcoach games --json`` and ``rlcoach trends --json`` print.

The corpus is analyzed once per test session (the shared ``corpus_reports`` fixture); the
conversation runs through the real anthropic SDK against the loopback fake API, and each
scripted final answer quotes a tool number, so the evidence check must pass it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlcoach.cli import app
from rlcoach.coach.backend import choose_backend
from rlcoach.coach.conversation import Conversation
from rlcoach.library.db import open_library
from rlcoach.library.store import FileInfo, add_report

from .fake_messages import FakeMessages, Turn

pytestmark = [pytest.mark.corpus, pytest.mark.slow]
runner = CliRunner()
ME = "colonelpanic8"  # the player in the most corpus games


@pytest.fixture(scope="module")
def corpus_library(corpus_reports: dict[str, dict], tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("coach-corpus") / "library.sqlite3"
    with open_library(path) as lib:
        for stem, report in sorted(corpus_reports.items()):
            sha = report["replay"].get("sha256") or stem
            add_report(lib, report, FileInfo(f"/corpus/{stem}.replay", 1, 0.0, sha))
    return path


@pytest.fixture
def setup(corpus_library: Path, rlcoach_home: Path, monkeypatch: pytest.MonkeyPatch):
    cfg = rlcoach_home / "config" / "rlcoach.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text(f'[identity]\nnames = ["{ME}"]\n')
    with FakeMessages() as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        lib = open_library(corpus_library)
        yield fake, lib, corpus_library
        lib.close()


def cli_json(*args: str) -> object:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def converse(fake: FakeMessages, lib, tool: str, args: dict, answer_from) -> tuple[dict, object]:  # type: ignore[no-untyped-def]
    """One question: the model calls ``tool``; its final answer quotes ``answer_from(result)``."""
    backend = choose_backend()
    assert backend is not None
    conv = Conversation.open(lib, backend, log=False)
    fake.script = [Turn([("tool_use", tool, args)])]
    captured: dict = {}

    def on_tool(result) -> None:  # type: ignore[no-untyped-def]
        captured.update(json.loads(result.text))
        fake.script.append(Turn([("text", f"The number is {answer_from(captured)}.")]))

    answer = conv.ask("golden question", on_tool=on_tool)
    return captured, answer


def test_boost_summary_equals_trends(setup):
    fake, lib, path = setup
    got, answer = converse(fake, lib, "metric_summary",
                           {"metrics": ["boost.bpm", "movement.avg_speed"], "last": 50},
                           lambda r: r["metrics"][0]["mean"])
    trends = cli_json("trends", "boost.bpm", "movement.avg_speed", "--last", "50",
                      "--json", "--library", str(path))
    for tool_row, series in zip(got["metrics"], trends, strict=True):  # type: ignore[arg-type]
        values = [p["value"] for p in series["points"]]
        assert tool_row["metric"] == series["metric"]
        assert tool_row["n"] == len(values) > 5
        assert tool_row["mean"] == round(series["average"], 2)
        assert tool_row["max"] == round(max(values), 2)
    assert answer.check.unverified == []


def test_win_loss_split_equals_trends(setup):
    fake, lib, path = setup
    got, answer = converse(fake, lib, "win_loss_split",
                           {"metrics": ["movement.percent_supersonic_speed"], "last": 50},
                           lambda r: r["metrics"][0]["wins"]["mean"])
    series = cli_json("trends", "movement.percent_supersonic_speed", "--last", "50", "--json",
                      "--library", str(path))[0]  # type: ignore[index]
    row = got["metrics"][0]
    assert row["wins"]["mean"] == round(series["average_wins"], 2)
    assert row["losses"]["mean"] == round(series["average_losses"], 2)
    results = [p["result"] for p in series["points"]]
    assert (row["wins"]["n"], row["losses"]["n"]) == (results.count("win"), results.count("loss"))
    assert answer.check.unverified == []


def test_trend_equals_trends(setup):
    fake, lib, path = setup
    got, _ = converse(fake, lib, "metric_trend", {"metrics": ["core.score"], "last": 30,
                                                   "window": 5},
                      lambda r: r["series"][0]["average"])
    series = cli_json("trends", "core.score", "--last", "30", "--window", "5", "--json",
                      "--library", str(path))[0]  # type: ignore[index]
    row = got["series"][0]
    assert row["games"] == len(series["points"])
    assert row["rolling_latest"] == round(series["points"][-1]["rolling"], 2)
    assert [g["game"] for g in row["last_games"]] == \
        [p["game_id"] for p in series["points"][-10:]]


def test_find_games_equals_games(setup):
    fake, lib, path = setup
    got, answer = converse(fake, lib, "find_games", {"last": 8},
                           lambda r: r["games"][0]["game"])
    games = cli_json("games", "--last", "8", "--json", "--library", str(path))
    assert [g["game"] for g in got["games"]] == [g["game_id"] for g in games]  # type: ignore[union-attr]
    for tool_game, row in zip(got["games"], games, strict=True):  # type: ignore[arg-type]
        assert tool_game["result"] == row["result"]
        assert tool_game["map"] == row["map_name"]
        for key, value in tool_game["my_stats"].items():
            assert value == round(row["my_stats"][key], 2)
    assert answer.check.unverified == []
