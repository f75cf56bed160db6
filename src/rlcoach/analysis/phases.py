"""Match phases from the replicated game-state column.

The state is stored as an index into the replay's name table, so its codes
differ between replays (48/52/86 in one, 28/31/41 in another). We infer the
roles instead: the state that lasts longest is live play, the one that most
often hands over to live play is the kickoff countdown (some replays open
with a waiting state before the first countdown, so the first rows alone
mislead), and the rest is post-goal time. Replays without the column (code 0
everywhere) are treated as all live play.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rlcoach.replay.types import Frames

B = NDArray[np.bool_]


@dataclass
class Phases:
    live: B
    countdown: B
    post_goal: B
    goal_rows: list[int]  # first row of each post-goal phase (a goal was scored)
    kickoff_rows: list[int]  # first live row after each countdown
    known: bool  # False when the replay has no usable state column


def match_phases(frames: Frames) -> Phases:
    state = frames.state.astype(np.int64)
    n = frames.n
    if n == 0 or (np.all(state == state[0]) and state[0] == 0):
        live = np.ones(n, dtype=bool)
        return Phases(live, ~live, ~live, [], [0] if n else [], known=False)
    dt = frames.dt
    codes = np.unique(state)
    time_in = {int(c): float(dt[state == c].sum()) for c in codes}
    live_code = max(time_in, key=lambda c: time_in[c])
    countdown_code = _countdown_code(state, live_code)
    live = state == live_code
    countdown = state == countdown_code if countdown_code is not None else np.zeros(n, bool)
    post_goal = ~live & ~countdown
    starts = np.flatnonzero(np.diff(state, prepend=state[0] - 1) != 0)
    goal_rows = [int(i) for i in starts if post_goal[i] and i > 0 and live[i - 1]]
    kickoff_rows = [int(i) for i in starts if live[i] and (i == 0 or countdown[i - 1])]
    if not kickoff_rows and live.any():
        kickoff_rows = [int(np.argmax(live))]
    return Phases(live, countdown, post_goal, goal_rows, kickoff_rows, known=True)


def _countdown_code(state: NDArray[np.int64], live_code: int) -> int | None:
    starts = np.flatnonzero((state[1:] == live_code) & (state[:-1] != live_code))
    before = state[starts]
    if len(before):
        codes, counts = np.unique(before, return_counts=True)
        return int(codes[int(np.argmax(counts))])
    return int(state[0]) if int(state[0]) != live_code else None
