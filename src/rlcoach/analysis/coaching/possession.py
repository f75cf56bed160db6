"""Possession, passes, turnovers and dribbles from the chain of touches.

- possession span: consecutive touches by one team; it ends at the other
  team's next touch or at a goal / the end of live play.
- pass: a touch followed by a teammate's touch, with no touch in between,
  within ``PASS_MAX_S`` and after the ball travelled ``PASS_MIN_TRAVEL``
  (the engine's ``pass`` events have the same passer -> receiver shape).
- turnover: a touch whose next touch is an opponent's, later than a 50/50
  (``duels.WINDOW_S``): the player gave the ball away (clearances count).
- dribble: a run of ``DRIBBLE_TOUCHES`` or more touches by one player, each
  within ``CONTROL_S`` of the previous and with the ball within
  ``DRIBBLE_RADIUS`` of the car; its touches after the first are controlled
  touches.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np

from rlcoach.analysis.coaching import duels
from rlcoach.analysis.coaching.base import Part, at_time, player_ref, team_name
from rlcoach.analysis.context import Context

PASS_MAX_S = 4.0
PASS_MIN_TRAVEL = 500.0
CONTROL_S = 1.5
DRIBBLE_TOUCHES = 3
DRIBBLE_RADIUS = 300.0


def _travel(ctx: Context, a: int, b: int) -> float:
    seg = ctx.frames.ball_pos[a:b + 1]
    return float(np.linalg.norm(np.diff(seg, axis=0), axis=1).sum()) if len(seg) > 1 else 0.0


def chain_events(ctx: Context) -> dict[str, list[dict[str, Any]]]:
    t, team_of = ctx.frames.time, [p.team for p in ctx.replay.players]
    touches = ctx.touches
    passes: list[dict[str, Any]] = []
    turnovers: list[dict[str, Any]] = []
    dribbles: list[dict[str, Any]] = []
    run = [touches[0]] if touches else []
    for prev, cur in pairwise(touches):
        gap = float(t[cur.row] - t[prev.row])
        same_team = team_of[cur.player] == team_of[prev.player]
        if same_team and cur.player != prev.player and gap <= PASS_MAX_S \
                and _travel(ctx, prev.row, cur.row) >= PASS_MIN_TRAVEL:
            passes.append({**at_time(ctx, prev.row), "passer": player_ref(ctx, prev.player),
                           "receiver": player_ref(ctx, cur.player),
                           "team": team_name(team_of[prev.player]),
                           "travel": round(_travel(ctx, prev.row, cur.row), 1)})
        if not same_team and gap > duels.WINDOW_S:
            turnovers.append({**at_time(ctx, prev.row), **player_ref(ctx, prev.player),
                              "team": team_name(team_of[prev.player]),
                              "to": player_ref(ctx, cur.player)["player"]})
        close = float(ctx.dist_to_ball[cur.player][cur.row]) <= DRIBBLE_RADIUS
        if cur.player == run[-1].player and gap <= CONTROL_S and close:
            run.append(cur)
            continue
        _close_run(ctx, run, dribbles)
        run = [cur]
    _close_run(ctx, run, dribbles)
    return {"passes": passes, "turnovers": turnovers, "dribbles": dribbles}


def _close_run(ctx: Context, run: list[Any], out: list[dict[str, Any]]) -> None:
    if len(run) >= DRIBBLE_TOUCHES:
        t = ctx.frames.time
        out.append({**at_time(ctx, run[0].row), **player_ref(ctx, run[0].player),
                    "touches": len(run),
                    "duration": round(float(t[run[-1].row] - t[run[0].row]), 2)})


def spans(ctx: Context) -> list[dict[str, Any]]:
    """Possession spans per team, in order."""
    t, team_of = ctx.frames.time, [p.team for p in ctx.replay.players]
    out: list[dict[str, Any]] = []
    for x in ctx.touches:
        team = team_of[x.player]
        if out and out[-1]["team"] == team_name(team):
            out[-1]["end"] = round(float(t[x.row]), 2)
            out[-1]["touches"] += 1
            continue
        out.append({**at_time(ctx, x.row), "team": team_name(team), "touches": 1,
                    "end": round(float(t[x.row]), 2)})
    return out


def analyse(ctx: Context) -> Part:
    ev = chain_events(ctx)
    keys = [p.key for p in ctx.replay.players]
    stats: list[dict[str, float | int | None]] = [
        {"passes": 0, "passes_received": 0, "turnovers": 0, "dribbles": 0,
         "controlled_touches": 0} for _ in keys]
    for p in ev["passes"]:
        stats[keys.index(p["passer"]["player"])]["passes"] = \
            int(stats[keys.index(p["passer"]["player"])]["passes"] or 0) + 1
        s = stats[keys.index(p["receiver"]["player"])]
        s["passes_received"] = int(s["passes_received"] or 0) + 1
    for x in ev["turnovers"]:
        s = stats[keys.index(x["player"])]
        s["turnovers"] = int(s["turnovers"] or 0) + 1
    for d in ev["dribbles"]:
        s = stats[keys.index(d["player"])]
        s["dribbles"] = int(s["dribbles"] or 0) + 1
        s["controlled_touches"] = int(s["controlled_touches"] or 0) + int(d["touches"]) - 1
    section = {"spans": spans(ctx), **ev}
    return Part(sections={"possession": section}, player_stats={"possession": stats})
