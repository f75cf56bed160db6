"""Table-driven checks of the pure analysis rules on hand-made frames."""

from __future__ import annotations

import numpy as np
import pytest

from rlcoach.analysis.context import Context
from rlcoach.analysis.kickoffs import kickoffs_missing
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
        # builds from 260506 on: a short pre-game state, then countdown 19, live 31,
        # goal 47 and a brief 48 before the next countdown
        ([17] * 2 + [19] * 4 + [31] * 20 + [47] * 3 + [48] + [19] * 4 + [31] * 20 + [47] * 3
         + [48] + [19] * 4 + [31] * 20, [26, 54], [6, 34, 62]),
    ],
)
def test_phases_are_inferred_not_hard_coded(states, goals, kickoffs) -> None:
    ph = match_phases(_frames(states))
    assert ph.goal_rows == goals
    assert ph.kickoff_rows == kickoffs


def _context(states: list[int], goal_rows: list[int]) -> Context:
    from rlcoach.analysis.events import Goal
    from rlcoach.replay.types import ReplayData

    replay = ReplayData(header={}, players=[], frames=_frames(states), sample_rate=30.0,
                        source="ndarray")
    ctx = Context(replay)
    ctx.__dict__["goals"] = [Goal(team=0, scorer=None, row=r, header_frame=None)
                             for r in goal_rows]
    return ctx


@pytest.mark.parametrize(
    ("states", "goal_rows", "missing"),
    [
        ([7] * 3 + [9] * 10 + [4] * 2 + [7] * 3 + [9] * 10, [13], 0),
        ([7] * 3 + [9] * 10 + [4] * 2 + [7] * 3 + [9] * 10 + [4] * 3, [13, 28], 0),  # final goal
        # play resumed from the goal state without a countdown
        ([7] * 3 + [9] * 10 + [4] * 2 + [7] * 3 + [9] * 10 + [4] * 2 + [9] * 5, [13, 28], 1),
        ([9] * 20 + [4] * 2 + [7] * 3 + [9] * 20 + [4] * 2 + [9] * 10, [20, 45], 1),
    ],
)
def test_kickoffs_missing_counts_resumptions_without_a_kickoff(states, goal_rows,
                                                               missing) -> None:
    assert kickoffs_missing(_context(states, goal_rows)) == missing
