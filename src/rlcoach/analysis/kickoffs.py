"""Kickoffs: who touched first after each countdown, and what followed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlcoach.analysis.context import Context

FIRST_TOUCH_WINDOW_S = 10.0
QUICK_GOAL_S = 5.0


@dataclass(frozen=True)
class Kickoff:
    row: int
    first_touch: int | None
    first_touch_team: int | None
    goal_within_5s: bool


def kickoffs(ctx: Context) -> list[Kickoff]:
    t = ctx.frames.time
    players = ctx.replay.players
    goal_rows = sorted(r for r in (g.row for g in ctx.goals) if r is not None)
    out = []
    for row in ctx.phases.kickoff_rows:
        first = next(
            (x for x in ctx.touches
             if x.row >= row and t[x.row] - t[row] <= FIRST_TOUCH_WINDOW_S),
            None,
        )
        quick = any(row <= g and t[g] - t[row] <= QUICK_GOAL_S for g in goal_rows)
        out.append(Kickoff(
            row=row,
            first_touch=first.player if first else None,
            first_touch_team=players[first.player].team if first else None,
            goal_within_5s=quick,
        ))
    return out


def kickoffs_missing(ctx: Context) -> int:
    """How many kickoffs the phases lack: one at the start of play and one
    after each goal that play resumed from. 0 when every one is there."""
    phases = ctx.phases
    live_rows = np.flatnonzero(phases.live)
    if not live_rows.size:
        return 0
    kicks = np.array(sorted(phases.kickoff_rows), dtype=np.int64)
    goal_rows = sorted(r for r in (g.row for g in ctx.goals) if r is not None)
    missing = 0 if kicks.size and kicks[0] <= live_rows[0] + 1 else 1
    for g in goal_rows:
        resumed = live_rows[live_rows > g]
        if not resumed.size or resumed[0] == g + 1:
            continue  # the match ended here (or the goal fell inside live play)
        if not np.any((kicks > g) & (kicks <= resumed[0])):
            missing += 1
    return missing
