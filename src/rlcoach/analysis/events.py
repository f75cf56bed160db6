"""Match events: goals, demolitions, touches and kickoffs.

Goals come from the header (scorer and team are the game's own record) and
are placed on the clock at the matching goal-scored phase change, in order.
Demolitions are the rising edges of a player's "demolished by" column;
touches are the engine's per-row touch indicators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from rlcoach.analysis.context import Context


@dataclass(frozen=True)
class Goal:
    team: int
    scorer: int | None  # player index
    row: int | None  # sample row of the goal; None when it can't be placed
    header_frame: int | None


@dataclass(frozen=True)
class Demolition:
    row: int
    attacker: int | None
    victim: int


@dataclass(frozen=True)
class Touch:
    row: int
    player: int


def goals_from_header(ctx: Context) -> list[Goal]:
    rows = list(ctx.phases.goal_rows)
    goals = []
    for k, g in enumerate(ctx.replay.header.get("Goals") or []):
        if not isinstance(g, dict):
            continue
        team = int(g.get("PlayerTeam", -1))
        scorer = next(
            (j for j, p in enumerate(ctx.replay.players)
             if p.name == g.get("PlayerName") and p.team == team),
            None,
        )
        row = rows[k] if k < len(rows) and len(rows) == len(ctx.replay.header["Goals"]) else None
        frame = g.get("frame")
        goals.append(Goal(team, scorer, row, int(frame) if isinstance(frame, int) else None))
    return goals


def demolitions(ctx: Context) -> list[Demolition]:
    out = []
    n_players = len(ctx.replay.players)
    for victim, pf in enumerate(ctx.frames.players):
        dead = pf.demolished
        starts = np.flatnonzero(dead & ~np.concatenate(([False], dead[:-1])))
        for row in starts:
            attacker = int(pf.demolished_by[row])
            out.append(Demolition(int(row), attacker if 0 <= attacker < n_players else None,
                                  victim))
    return sorted(out, key=lambda d: d.row)


def touches(ctx: Context) -> list[Touch]:
    out = [
        Touch(int(row), i)
        for i, pf in enumerate(ctx.frames.players)
        for row in np.flatnonzero(pf.touch)
    ]
    return sorted(out, key=lambda t: (t.row, t.player))


def assister_for(ctx: Context, goal: Goal, window_s: float = 6.0) -> int | None:
    """The scorer's teammate whose touch came last before the scorer's own.

    The header credits assists per player but not per goal, so this places
    them: a teammate's touch within ``window_s`` before the scorer's last
    touch, with no opponent touch in between.
    """
    if goal.row is None or goal.scorer is None:
        return None
    t = ctx.frames.time
    before = [x for x in ctx.touches if x.row <= goal.row]
    scorer_touches = [x for x in before if x.player == goal.scorer]
    if not scorer_touches:
        return None
    last = scorer_touches[-1]
    for x in reversed([x for x in before if x.row < last.row]):
        if t[last.row] - t[x.row] > window_s:
            return None
        team = ctx.replay.players[x.player].team
        if team != goal.team:
            return None
        if x.player != goal.scorer:
            return x.player
    return None
