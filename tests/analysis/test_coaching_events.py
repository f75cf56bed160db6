"""Rules of shots/xG, 50/50s and possession on hand-made values; corpus invariants."""

from __future__ import annotations

import numpy as np
import pytest

from rlcoach.analysis.coaching.duels import winner_by_gain
from rlcoach.analysis.coaching.shots import crossing, on_frame, xg_value


@pytest.mark.parametrize(
    ("pos", "vel", "team", "hit"),
    [
        ((0, 3000, 100), (0, 2000, 0), 0, True),  # straight at orange's goal
        ((0, 3000, 100), (0, -2000, 0), 0, False),  # wrong way
        ((0, -3000, 100), (0, -2000, 0), 1, True),  # orange shoots at -y
        ((0, 0, 100), (0, 1000, 0), 0, False),  # 5 s away: beyond the horizon
        ((0, 4000, 100), (0, 200, 0), 0, False),  # rolling too slowly
    ],
)
def test_crossing(pos, vel, team: int, hit: bool) -> None:
    assert (crossing(np.array(pos, float), np.array(vel, float), team) is not None) is hit


def test_crossing_point_follows_gravity() -> None:
    x, z, t = crossing(np.array([100.0, 4120.0, 500.0]), np.array([100.0, 1000.0, 0.0]), 0)
    assert t == pytest.approx(1.0)
    assert x == pytest.approx(200.0)
    assert z == pytest.approx(500.0 - 325.0)


@pytest.mark.parametrize(("x", "z", "inside"), [(0, 100, True), (880, 600, True),
                                                 (950, 100, False), (0, 700, False)])
def test_goal_mouth(x: float, z: float, inside: bool) -> None:
    assert on_frame(x, z) is inside


def test_xg_rises_with_the_defenders_margin_and_falls_off_target() -> None:
    values = [xg_value(margin, True) for margin in (-0.8, 0.0, 1.0, 3.0)]
    assert values == sorted(values) and all(0 < v < 1 for v in values)
    assert len(set(values)) == len(values)
    assert xg_value(1.0, False) < xg_value(1.0, True)
    assert xg_value(9.0, True) == xg_value(5.0, True)  # margins are clamped to +-5 s


@pytest.mark.parametrize(("bias", "slope", "margin", "expected"),
                         [(0.0, 1.0, 0.0, 0.5), (-0.42, 1.42, 0.0, 0.3965),
                          (0.0, 2.0, 1.0, 0.8808)])
def test_xg_is_the_logistic_of_the_margin(bias, slope, margin, expected) -> None:
    assert xg_value(margin, True, bias, slope) == pytest.approx(expected, abs=1e-4)
    assert xg_value(margin, False, bias, slope, 0.5) == pytest.approx(expected / 2, abs=1e-4)


@pytest.mark.parametrize(("before", "after", "winner"),
                         [(0, 800, 0), (0, -800, 1), (100, 300, None), (-2000, -1400, 0)])
def test_fifty_fifty_winner_by_where_the_ball_goes(before, after, winner) -> None:
    assert winner_by_gain(before, after) == winner


def test_goals_are_shots_and_xg_is_sane(corpus_reports) -> None:
    for name, r in corpus_reports.items():
        shots = r["coaching"]["shots"]
        assert all(0.0 <= s["xg"] <= 1.0 for s in shots), name
        placed = [g for g in r["events"]["goals"] if g["time"] is not None and g["scorer"]]
        assert sum(s["goal"] for s in shots) <= len(r["events"]["goals"])
        if r["replay"]["frames_source"] == "ndarray" and r["replay"]["seconds_played"]:
            assert sum(s["goal"] for s in shots) >= len(placed) - 1, name
        for s in shots:  # xG reads the flight, never the outcome
            assert s["goal"] or s["flight"] != "none", name  # only goals lack a flight
            assert s["on_target"] == (s["goal"] or s["flight"] == "on_target"), name
            assert s["xg"] == pytest.approx(xg_value(s["margin_s"], s["flight"] != "wide"),
                                            abs=0.003), name  # both rounded
        teams = {p["key"]: p["team"] for p in r["players"]}
        assert all(teams[s["conceded_by"]] != s["team"] for s in shots
                   if s["conceded_by"] is not None), name


def test_fifty_fifties_pair_opponents(corpus_reports) -> None:
    for r in corpus_reports.values():
        for f in r["coaching"]["fifty_fifties"]:
            assert {p["team"] for p in f["players"]} == {"blue", "orange"}


def test_passes_stay_in_the_team(corpus_reports) -> None:
    for r in corpus_reports.values():
        team = {p["key"]: p["team"] for p in r["players"]}
        for p in r["coaching"]["possession"]["passes"]:
            assert team[p["passer"]["player"]] == team[p["receiver"]["player"]] == p["team"]
            assert p["passer"]["player"] != p["receiver"]["player"]
