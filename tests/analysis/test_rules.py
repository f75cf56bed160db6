"""Table-driven checks of the pure analysis rules on hand-made frames."""

from __future__ import annotations

import numpy as np
import pytest

from rlcoach.analysis.movement import on_ground, powerslide_spans
from rlcoach.analysis.phases import match_phases
from rlcoach.replay.types import Frames


@pytest.mark.parametrize(
    ("rows", "times", "expected"),
    [
        ([2, 5], None, [(2, 5)]),
        ([2, 5, 9, 12], None, [(2, 5), (9, 12)]),
        ([2, 200], None, [(2, 3), (200, 201)]),  # no partner within 1.5 s
        ([], None, []),
    ],
)
def test_powerslide_marks_pair_up(rows, times, expected) -> None:
    flags = np.zeros(300, dtype=bool)
    flags[rows] = True
    time = np.arange(300) / 30.0
    assert powerslide_spans(flags, time) == expected


@pytest.mark.parametrize(("z", "ground"), [(17.0, True), (19.9, True), (25.0, False),
                                           (600.0, False)])
def test_ground_is_the_floor(z: float, ground: bool) -> None:
    assert bool(on_ground(np.array([[0.0, 0.0, z]]))[0]) is ground


def _frames(states: list[int]) -> Frames:
    n = len(states)
    return Frames(time=np.arange(n) / 30.0, ball_pos=np.zeros((n, 3)), ball_vel=np.zeros((n, 3)),
                  state=np.array(states, dtype=np.int16), players=[])


@pytest.mark.parametrize(
    ("states", "goals", "kickoffs"),
    [
        ([7] * 3 + [9] * 10 + [4] * 2 + [7] * 3 + [9] * 10, [13], [3, 18]),
        ([28] * 2 + [31] * 20, [], [2]),  # codes differ between replays
        ([0] * 5, [], [0]),  # no state column: all live
        # a waiting state before the first countdown (50), countdown 53, live 54
        ([50] * 3 + [53] * 2 + [54] * 10 + [85] * 2 + [53] * 2 + [54] * 10, [15], [5, 19]),
    ],
)
def test_phases_are_inferred_not_hard_coded(states, goals, kickoffs) -> None:
    ph = match_phases(_frames(states))
    assert ph.goal_rows == goals
    assert ph.kickoff_rows == kickoffs
