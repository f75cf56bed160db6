"""A coarse time series of the match, for figures and tools.

The report's stats are totals and its events are instants; a chart of boost
over time or of where the ball was needs the values in between. Sampling
once a second keeps a 10-minute 3v3 to a few thousand small integers (about
15 KB of JSON), which is plenty for a chart a few hundred pixels wide and
keeps the report cheap to store in the library.

Each sample is the row at or just before its time (no interpolation: the
replay's own values). A player's boost is null while they are not tracked
(not yet joined, left, or waiting to respawn), so a chart shows a gap
instead of an invented level. ``clock_ticks`` maps the game clock's whole
minutes (and the start of overtime) to recording time, so a chart can label
its time axis with the clock the players saw.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rlcoach.analysis.clock import GameClock
from rlcoach.analysis.context import Context

STEP_S = 1.0


def timeline(ctx: Context, clock: GameClock, keys: list[str]) -> dict[str, Any]:
    """Ball position along the pitch and each player's boost, once a second."""
    t = ctx.frames.time
    if not t.size:
        return {"step": STEP_S, "time": [], "ball_y": [], "boost": {k: [] for k in keys},
                "clock_ticks": []}
    samples = np.arange(float(t[0]), float(t[-1]) + 1e-9, STEP_S)
    rows = np.clip(np.searchsorted(t, samples, side="right") - 1, 0, len(t) - 1)
    boost: dict[str, list[int | None]] = {}
    for i, key in enumerate(keys):
        level = ctx.frames.players[i].boost[rows]
        alive = ctx.alive[i][rows]
        boost[key] = [round(float(v)) if ok else None
                      for v, ok in zip(level, alive, strict=True)]
    return {
        "step": STEP_S,
        "time": [round(float(s), 2) for s in samples],
        "ball_y": [round(float(y)) for y in ctx.frames.ball_pos[rows, 1]],
        "boost": boost,
        "clock_ticks": clock_ticks(clock),
    }


def clock_ticks(clock: GameClock) -> list[list[Any]]:
    """[recording time, label] where the clock first shows each whole minute."""
    if not clock.known or not clock.time.size:
        return []
    ticks: list[list[Any]] = []
    seen: set[str] = set()
    seconds = clock.seconds
    for row in np.flatnonzero(np.mod(np.round(seconds), 60) == 0):
        overtime = clock.overtime_row is not None and row >= clock.overtime_row
        if overtime and row != clock.overtime_row:
            continue  # the overtime clock counts up; mark only its start
        label = clock.at(float(clock.time[row])) or ""
        if label and label not in seen:
            seen.add(label)
            ticks.append([round(float(clock.time[row]), 2), label])
    return ticks
