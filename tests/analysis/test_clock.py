"""The game clock: formatting, overtime, unknown clocks, and the corpus."""

from __future__ import annotations

import copy
import re
from itertools import pairwise

import numpy as np
import pytest

from rlcoach.analysis.clock import GameClock, attach_clocks, format_clock, game_clock
from rlcoach.replay.types import Frames
from rlcoach.report.markdown import render_markdown
from rlcoach.report.schema import validate_report


@pytest.mark.parametrize(("seconds", "overtime", "text"), [
    (300, False, "5:00"), (277, False, "4:37"), (59, False, "0:59"), (0, False, "0:00"),
    (0, True, "+0:00"), (42, True, "+0:42"), (65, True, "+1:05"), (-1, False, "0:00"),
])
def test_format_clock(seconds: float, overtime: bool, text: str) -> None:
    assert format_clock(seconds, overtime) == text


def _frames(seconds: list[float], countdown: list[float] | None = None) -> Frames:
    n = len(seconds)
    return Frames(time=np.arange(n, dtype=float), ball_pos=np.zeros((n, 3)),
                  ball_vel=np.zeros((n, 3)), state=np.zeros(n, dtype=np.int16), players=[],
                  seconds_remaining=np.array(seconds, dtype=float),
                  kickoff_countdown=None if countdown is None else np.array(countdown, float))


def test_regulation_then_overtime_from_the_countdown() -> None:
    #          0    1    2  3  4  5  6  7  8
    seconds = [300, 299, 2, 1, 0, 0, 0, 0, 1]
    countdown = [3, 0, 0, 0, 0, 0, 3, 0, 0]  # the first kickoff countdown is not overtime
    clock = game_clock(_frames(seconds, countdown))
    assert [clock.at(t) for t in range(9)] == [
        "5:00", "4:59", "0:02", "0:01", "0:00", "0:00", "+0:00", "+0:00", "+0:01"]
    assert clock.at(3.5) == "0:01"  # between rows: the last value shown
    assert clock.at(None) is None


def test_overtime_without_a_countdown_column_starts_where_the_clock_rises() -> None:
    clock = game_clock(_frames([2, 1, 0, 0, 1, 2]))
    assert [clock.at(t) for t in range(6)] == ["0:02", "0:01", "0:00", "0:00", "+0:01", "+0:02"]


def test_a_clock_that_never_runs_is_unknown() -> None:
    clock = game_clock(_frames([0, 0, 0]))
    assert not clock.known and clock.at(1.0) is None
    no_column = Frames(time=np.arange(3.0), ball_pos=np.zeros((3, 3)), ball_vel=np.zeros((3, 3)),
                       state=np.zeros(3, dtype=np.int16), players=[])
    assert game_clock(no_column).at(1.0) is None


def test_attach_clocks_fills_every_timed_item() -> None:
    clock = GameClock(np.arange(3.0), np.array([300.0, 299.0, 298.0]), None, known=True)
    report = {
        "events": {"goals": [{"time": 1.2}], "kickoffs": [{"time": None}]},
        "coaching": {"shots": [{"time": 2.0, "player": "a"}],
                     "rotation": {"a": {"share": 0.5}}},
        "insights": [{"moments": [{"time": 0.0, "what": "x"}]}],
        "replay": {"forfeit": False},
        "players": [{"start_time": 0.0}],
    }
    attach_clocks(report, clock)
    assert report["events"]["goals"][0]["clock"] == "4:59"
    assert report["events"]["kickoffs"][0]["clock"] is None
    assert report["coaching"]["shots"][0]["clock"] == "4:58"
    assert "clock" not in report["coaching"]["rotation"]["a"]
    assert report["insights"][0]["moments"][0]["clock"] == "5:00"
    assert report["replay"]["end_clock"] == "4:58"
    assert "clock" not in report["players"][0]


_CLOCK = re.compile(r"^\+?\d+:\d\d$")


def test_corpus_events_carry_the_clock(corpus_reports) -> None:
    with_clock = 0
    for name, report in corpus_reports.items():
        goals = report["events"]["goals"]
        for kind, items in report["events"].items():
            for item in items:
                assert "clock" in item, (name, kind)
                assert item["clock"] is None or _CLOCK.match(item["clock"]), (name, item)
        clocks = [g["clock"] for g in goals if g["clock"]]
        if not clocks:
            continue
        with_clock += 1
        _assert_counts_down(name, report)
        if report["replay"]["overtime"] and len(clocks) == len(goals):
            assert clocks[-1].startswith("+"), name  # the overtime goal
        overtime_goals = [g for g in goals if (g["clock"] or "").startswith("+")]
        if overtime_goals:  # regulation ended level, then one golden goal
            assert report["replay"]["overtime"], name
            assert overtime_goals == goals[-1:], name
            teams = [g["team"] for g in goals[:-1]]
            assert teams.count("blue") == teams.count("orange"), name
    assert with_clock >= 35


def _seconds(clock: str) -> int:
    minutes, seconds = clock.lstrip("+").split(":")
    return int(minutes) * 60 + int(seconds)


def _assert_counts_down(name: str, report: dict) -> None:
    """Regulation time only goes down, except where a new game restarts it
    (a private lobby that played two games in one recording)."""
    ev = report["events"]
    moments = sorted((e["time"], e["clock"]) for e in ev["goals"] + ev["kickoffs"]
                     if e["clock"] and not e["clock"].startswith("+"))
    start = _seconds(moments[0][1])
    for (_, a), (_, b) in pairwise(moments):
        assert _seconds(b) <= _seconds(a) or _seconds(b) == start, (name, a, b)


def test_forfeit_shows_in_the_dossier(corpus_reports) -> None:
    report = corpus_reports["recent-ranked-standard-2026-03-10-b"]
    assert report["replay"]["forfeit"] and report["replay"]["end_clock"] not in (None, "0:00")
    md = render_markdown(report)
    assert f"(forfeit at {report['replay']['end_clock']})" in md
    goal = report["events"]["goals"][0]
    assert f"| {goal['clock']} | Goal |" in md
    # Units are not repeated after a label that has them ("Shooting %", not
    # "Shooting % (%)"); a unit the label lacks ("Shot quality (%)") stays.
    for header_row in re.findall(r"^\|.*\|$", md, flags=re.M):
        for cell in header_row.strip("|").split("|"):
            unit = re.search(r"\(([^()]+)\)\s*$", cell.strip())
            if unit:
                label = cell.strip()[: unit.start()].split()
                assert unit.group(1) not in label, cell


def test_reports_without_clocks_still_validate(corpus_reports) -> None:
    old = copy.deepcopy(corpus_reports["recent-ranked-doubles-2026-03-10"])
    old["schema_version"] = "1.0"
    old["replay"].pop("end_clock")
    for items in old["events"].values():
        for item in items:
            item.pop("clock")
    validate_report(old)
