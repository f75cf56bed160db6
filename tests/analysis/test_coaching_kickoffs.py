"""Kickoff rules on hand-made values, and corpus invariants."""

from __future__ import annotations

import numpy as np
import pytest

from rlcoach.analysis.coaching.base import axes
from rlcoach.analysis.coaching.kickoffs import flip_kind, outcome_team, spawn_label


@pytest.mark.parametrize(
    ("x", "y", "team", "label"),
    [
        (-2048, -2560, 0, "diagonal_left"),  # the engine's labels for the same spawns
        (2048, -2560, 0, "diagonal_right"),
        (2048, 2560, 1, "diagonal_left"),
        (-2048, 2560, 1, "diagonal_right"),
        (256, -3840, 0, "off_center_right"),
        (-256, 3840, 1, "off_center_right"),
        (0, -4608, 0, "center"),
        (0, 0, 0, "unknown"),  # not a soccar spawn (heatseeker, custom)
    ],
)
def test_spawn_labels(x: float, y: float, team: int, label: str) -> None:
    assert spawn_label(x, y, team) == label


@pytest.mark.parametrize(("y", "team"), [(1500.0, 0), (-1500.0, 1), (300.0, None),
                                         (-699.0, None)])
def test_outcome_is_the_ball_half_beyond_a_neutral_band(y: float, team: int | None) -> None:
    assert outcome_team(y) == team


def _rot(rows: list[tuple[float, float, float]]) -> np.ndarray:
    return np.array(rows, dtype=np.float64)


def test_axes_of_a_level_car_facing_plus_y() -> None:
    forward, up = axes(_rot([(0.0, 0.0, np.pi / 2)]))
    assert forward[0] == pytest.approx([0, 1, 0], abs=1e-9)
    assert up[0] == pytest.approx([0, 0, 1], abs=1e-9)


N = 15
# A car facing +x: the first angle then rolls it, the second pitches it.
LEVEL = [(0.0, 0.0, 0.0)] * N
VEL = np.tile([1500.0, 0.0, 0.0], (N, 1))


@pytest.mark.parametrize(
    ("rot", "near", "kind"),
    [
        (LEVEL, False, "flip"),  # no turn at all: nothing to classify
        ([(a, 0.0, 0.0) for a in np.linspace(0, np.pi, N)], False, "speed_flip"),
        # nose dips under the line of travel: a front flip
        ([(0.0, b, 0.0) for b in np.linspace(0, 2.5, N)], False, "front_flip"),
        ([(a, b, 0.0) for a, b in zip(np.linspace(0, 2, N), np.linspace(0, 1, N),
                                           strict=True)], False, "diagonal_flip"),
        # near the ball a roll is the flip into it, not a speed flip
        ([(a, 0.0, 0.0) for a in np.linspace(0, 1.0, N)], True, "diagonal_flip"),
    ],
)
def test_flip_kinds(rot, near: bool, kind: str) -> None:
    assert flip_kind(_rot(rot), VEL, near) == kind


def test_flip_without_rotations_is_unclassified() -> None:
    assert flip_kind(None, VEL, False) == "flip"


def test_kickoffs_follow_goals(corpus_reports) -> None:
    """One kickoff to start and one after every goal, unless the last goal ended it.

    Online matches only: in private and offline lobbies the host can reset
    the kickoff without a goal. An overtime start can add a kickoff without a goal.
    """
    checked = 0
    for name, r in corpus_reports.items():
        if r["replay"]["frames_source"] != "ndarray" or not r["replay"]["seconds_played"]:
            continue  # old formats: no phase column to find kickoffs by
        if r["replay"]["match_type"] != "Online":
            continue
        overtime = int(r["replay"]["overtime"])
        goals = len(r["events"]["goals"])
        n = len(r["coaching"]["kickoffs"])
        assert n in (goals, goals + 1, goals + 1 + overtime), (name, n, goals)
        checked += 1
    assert checked >= 15


def test_every_kickoff_has_one_taker_per_team_and_consistent_counts(corpus_reports) -> None:
    for r in corpus_reports.values():
        for k in r["coaching"]["kickoffs"]:
            takers = [p["team"] for p in k["players"] if p["role"] == "taker"]
            assert len(takers) == len(set(takers))
        taken = sum(p["stats"]["kickoffs"]["taken"] for p in r["players"])
        assert taken == sum(1 for k in r["coaching"]["kickoffs"] for p in k["players"]
                            if p["role"] == "taker")
