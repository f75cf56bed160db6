"""Kickoffs: who touched first after each countdown, and what followed."""

from __future__ import annotations

from dataclasses import dataclass

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
