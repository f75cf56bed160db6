"""Golden questions over a library built from ../shared/replays: the tools a scripted model
calls return the numbers ``rlcoach games --json`` and ``rlcoach trends --json`` print.

The corpus is analyzed once per test session (the shared ``corpus_reports`` fixture); the
conversation runs through the real anthropic SDK against the loopback fake API, and each
scripted final answer quotes a tool number, so the evidence check must pass it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.conftest import REPLAYS
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
            # Stored under the replay's real path, as an ingest would (`--game PATH`).
            add_report(lib, report, FileInfo.of(REPLAYS / f"{stem}.replay", sha))
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


def test_chat_on_a_replay_path_is_about_that_game(setup, corpus_reports):
    """`coach chat --game <file.replay>`: the game is the one the replay's header names,
    the model is told so, and its tools answer from that game's stored report."""
    fake, _lib, path = setup
    stem = "recent-ranked-doubles-2026-03-10"
    header, events = corpus_reports[stem]["replay"], corpus_reports[stem]["events"]
    rows = cli_json("games", "--last", "100", "--json", "--library", str(path))
    game = next(r["game_id"] for r in rows  # type: ignore[union-attr]
                if r["played_at"][:16] == header["date"][:16]
                and r["map_name"] == header["map_name"])
    fake.script = [Turn([("tool_use", "game_summary", {"game": game}),
                         ("tool_use", "game_events", {"game": game, "kind": "goals"})]),
                   Turn([("text", f"First goal: game {game} @ {events['goals'][0]['clock']}.")])]
    result = runner.invoke(app, ["coach", "chat", "--game", str(REPLAYS / f"{stem}.replay"),
                                 "--library", str(path)], input="how did this game go?\n")
    assert result.exit_code == 0, result.output
    assert f"game {game}" in result.output  # the banner names the game
    assert f"about game {game}" in json.dumps(fake.requests[0].body["system"])
    results = [json.loads(b["content"]) for b in fake.requests[1].body["messages"][-1]["content"]]
    summary, goals = results
    assert summary["game"] == game and summary["map"] == header["map_name"]
    assert summary["date"] == header["date"][:16]
    assert summary["score"] == f"{header['score']['blue']}-{header['score']['orange']}" or \
        sorted(map(int, summary["score"].split("-"))) == sorted(header["score"].values())
    assert [(g["time"], g["clock"]) for g in goals["events"]] == \
        [(round(g["time"], 2), g["clock"]) for g in events["goals"]]
    assert f"ref game {game} @ {events['goals'][0]['clock']}" in result.output
    logs = cli_json("coach", "logs", "--json", "--library", str(path))
    assert logs[0]["game_id"] == game  # type: ignore[index]


# -- the transcript in docs/coach.md --------------------------------------------------------

QUESTION = "do I play faster when I win?"
SPEED = ["movement.percent_supersonic_speed", "movement.avg_speed"]
DOC = Path(__file__).resolve().parents[2] / "docs" / "coach.md"
START, END = "<!-- transcript:start -->", "<!-- transcript:end -->"


def _tool_results(body: dict) -> list[dict]:
    return [json.loads(b["content"]) for b in body["messages"][-1]["content"]
            if b.get("type") == "tool_result"]


def scripted_model() -> list:
    """A scripted "model": the loop, the tools and their results are real; its words are
    written here from the tool results it receives (so every number is one a tool gave)."""
    seen: dict = {}

    def look_at_a_loss(body: dict) -> Turn:
        seen["split"], games = _tool_results(body)
        return Turn([("text", "Your latest loss first."),
                     ("tool_use", "game_summary", {"game": games["games"][0]["game"]})],
                    input_tokens=812, output_tokens=48, cache_read=2391)

    def answer(body: dict) -> Turn:
        (game,) = _tool_results(body)
        sup, speed = seen["split"]["metrics"]
        goal = next(iter(game["goals"]), None)
        moment = (f" The first goal there came at game {game['game']} @ {goal['clock']} "
                  f"({goal['team']})." if goal else "")
        text = (f"Supersonic share: {sup['wins']['mean']}% in wins vs {sup['losses']['mean']}% "
                f"in losses ({sup['wins']['n']} and {sup['losses']['n']} games, spreads "
                f"{sup['wins']['sd']} and {sup['losses']['sd']}). Average speed: "
                f"{speed['wins']['mean']} vs {speed['losses']['mean']} uu/s. Game "
                f"{game['game']} was a {game['result']} {game['score']}.{moment}\n\n"
                "Few games: treat this as a hint, not a verdict. Drill: free play, stay "
                "supersonic while collecting only small pads.")
        return Turn([("text", text)], input_tokens=1407, output_tokens=131, cache_read=2391)

    first = Turn([("tool_use", "win_loss_split", {"metrics": SPEED}),
                  ("tool_use", "find_games", {"result": "loss", "last": 1})],
                 input_tokens=96, output_tokens=71, cache_write=2391)
    return [first, look_at_a_loss, answer]


def transcript(result, requests: list) -> str:  # type: ignore[no-untyped-def]
    """What a terminal shows (stderr's banner and tool lines, the answer on stdout, then
    the references and tokens), then every tool_use and its tool_result as sent."""
    err = result.stderr.rstrip().splitlines()
    tools = max((i for i, ln in enumerate(err) if ln.startswith("  · ")), default=0) + 1
    answer = [ln.rstrip() for ln in result.stdout.rstrip().splitlines()]
    lines = [f'$ rlcoach coach ask "{QUESTION}" --library <the corpus library>',
             *err[:tools], *answer, *err[tools:], "",
             "# what went over the wire, request by request (tool results cut at 600 chars):"]
    for i, req in enumerate(requests[1:], start=2):
        uses = {b["id"]: b for m in req.body["messages"] if m["role"] == "assistant"
                and isinstance(m["content"], list) for b in m["content"]
                if b["type"] == "tool_use"}
        for block in req.body["messages"][-1]["content"]:
            if block.get("type") != "tool_result":
                continue
            use = uses[block["tool_use_id"]]
            content = block["content"]
            cut = content if len(content) <= 600 else content[:600] + " …"
            lines += [f"request {i}: tool_use {use['name']} {json.dumps(use['input'])}",
                      f"  tool_result {cut}"]
    return "\n".join(lines)


def test_docs_transcript_is_a_real_run(setup, monkeypatch):
    """`coach ask` against the loopback fake over the corpus library. With
    RLCOACH_UPDATE_TRANSCRIPT=1 the run replaces the transcript in docs/coach.md;
    otherwise the page's transcript must show this run's question and tool calls."""
    fake, _lib, path = setup
    monkeypatch.setenv("COLUMNS", "100")
    fake.script = scripted_model()
    result = runner.invoke(app, ["coach", "ask", QUESTION, "--library", str(path)])
    assert result.exit_code == 0, result.output
    assert "mode: own-key" in result.output and "Supersonic share:" in result.output
    assert "unverified" not in result.output  # every number came from a tool
    assert [r.body["messages"][-1]["content"][0]["type"] for r in fake.requests[1:]] == \
        ["tool_result", "tool_result"]
    text = transcript(result, fake.requests)
    doc = DOC.read_text()
    head, rest = doc.split(START)
    block, tail = rest.split(END)
    if os.environ.get("RLCOACH_UPDATE_TRANSCRIPT"):
        DOC.write_text(f"{head}{START}\n```\n{text}\n```\n{END}{tail}")
        return
    calls = [ln.split(" {")[0] for ln in text.splitlines() if ln.startswith("request ")]
    assert QUESTION in block
    assert calls == [ln.split(" {")[0] for ln in block.splitlines() if ln.startswith("request ")]
