"""Game moments from real reports (the goldens), including the degraded ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlcoach.tui.moments import game_moments, header_clock

GOLDENS = sorted((Path(__file__).resolve().parents[2] / "goldens").glob("*.json"))


def golden(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.mark.parametrize("path", GOLDENS, ids=lambda p: p.stem)
def test_every_goal_demo_and_kickoff_is_a_moment_in_time_order(path: Path) -> None:
    report = golden(path)
    moments = game_moments(report, "blue")
    kinds = [m.kind for m in moments]
    events = report["events"]
    assert kinds.count("goal") == len(events["goals"]) > 0
    assert kinds.count("demo") == len(events["demolitions"])
    assert kinds.count("kickoff") == len(events["kickoffs"])
    times = [m.time for m in moments]
    assert times == sorted(times)  # type: ignore[type-var]
    goals = [m for m in moments if m.kind == "goal"]
    assert [m.mine for m in goals] == [g["team"] == "blue" for g in events["goals"]]
    assert {m.title for m in goals} <= {"Goal for", "Goal against"}
    # goals_conceded (1.3+) names who was last back for every placed goal
    assert all("last back: " in m.detail and "not analysed" not in m.detail for m in goals)


@pytest.mark.parametrize("path", GOLDENS, ids=lambda p: p.stem)
def test_goals_without_a_time_are_placed_from_the_header_within_5_s(path: Path) -> None:
    report = golden(path)
    truth = [g["time"] for g in report["events"]["goals"]]
    for g in report["events"]["goals"]:  # what the analysis writes when rows don't match
        g["time"] = None
        g["frame"] = None
    goals = [m for m in game_moments(report, "blue") if m.kind == "goal"]
    assert len(goals) == len(truth)
    for moment, expected in zip(goals, truth, strict=True):
        assert moment.time is not None and abs(moment.time - expected) < 5.0
        assert "time from the replay header" in moment.detail


def test_header_clock_interpolates_between_goals_that_have_both() -> None:
    report = golden(GOLDENS[1])  # doubles: five goals
    goals = report["events"]["goals"]
    at = header_clock(report)
    # With both ends known, the middle goals land within 3 s.
    for g in goals[1:-1]:
        assert abs(at(g["header_frame"]) - g["time"]) < 3.0  # type: ignore[operator]


def test_a_goal_with_no_time_and_no_frame_is_listed_last_not_dropped() -> None:
    report = golden(GOLDENS[0])
    report["events"]["goals"][0].update(time=None, frame=None, header_frame=None)
    moments = game_moments(report, "blue")
    assert moments[-1].kind == "goal" and moments[-1].time is None
    assert "not placed" in moments[-1].detail
    assert sum(m.kind == "goal" for m in moments) == len(report["events"]["goals"])


def test_coaching_analyses_add_their_moments() -> None:
    report = golden(GOLDENS[0])  # duel: blue and orange, one player each
    blue, orange = (p["key"] for p in report["players"])
    first_goal = report["events"]["goals"][0]
    report["coaching"] = {
        "goals_conceded": [{"time": first_goal["time"], "clock": "4:20", "scorer": orange,
                            "last_back": blue, "defenders": [], "touch_chain": []}],
        "kickoffs": [{"time": 9.0, "clock": "5:00", "index": 0, "confidence": 0.9,
                      "players": [{"player": blue, "spawn": "left", "approach": "speedflip",
                                   "first_touch": True}],
                      "outcome": {"winner_team": "blue", "result": "won",
                                  "goal_within_5s": False}}],
        "fifty_fifties": [{"time": 30.0, "clock": "4:39", "players": [blue, orange],
                           "winner_team": "orange", "kickoff": False}],
        "shots": [{"time": 40.0, "clock": "4:29", "player": orange, "team": "orange",
                   "xg": 0.31, "on_target": True, "goal": False}],
        "boost_management": {"starved": [
            {"time": 50.0, "clock": "4:19", "player": blue, "seconds": 6.5},
            {"time": 70.0, "clock": "3:59", "player": blue, "seconds": 1.0}]},  # too short
        "rotation": {"double_commits": [{"time": 80.0, "clock": "3:49",
                                         "players": [blue]}]},
    }
    moments = game_moments(report, "blue")
    by_kind = {m.kind: m for m in moments}
    assert next(m for m in moments if m.kind == "kickoff").detail == \
        "won by blue; first touch Adamboi04 (speedflip)"
    assert sum(m.kind == "kickoff" for m in moments) == 1  # the analysis replaces the list
    assert by_kind["fifty"].detail == "Adamboi04 v OSIDE_SMURF: won by orange"
    assert by_kind["shot"].detail == "OSIDE_SMURF: xG 0.31, on target"
    assert by_kind["shot"].clock == "4:29" and by_kind["shot"].mine is False
    assert [m.detail for m in moments if m.kind == "empty"] == [
        "Adamboi04 under 12 boost as first man or last back for 6 s"]
    assert by_kind["double"].detail == "Adamboi04"
    goal = next(m for m in moments if m.kind == "goal")
    assert "last back: Adamboi04" in goal.detail
