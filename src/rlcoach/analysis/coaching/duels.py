"""50/50s: both teams touch the ball within a moment of each other.

A 50/50 starts at a touch answered by an opponent's touch within
``WINDOW_S`` (the engine pairs a team-zero and a team-one touch the same
way, subtr-actor ``fifty_fifty`` events). Its winner is decided by where
the ball goes: ``RESOLVE_S`` after the second touch, a ball that moved more
than ``MIN_GAIN`` uu towards one goal counts for the team attacking it;
less is neutral. A 50/50 within ``KICKOFF_S`` of a kickoff whistle that is
the first contest after it is a kickoff 50/50.
"""

from __future__ import annotations

from typing import Any

from rlcoach.analysis.coaching.base import Part, at_time, pct, player_ref, rows_until, team_name
from rlcoach.analysis.context import Context

WINDOW_S = 0.3
RESOLVE_S = 1.0
MIN_GAIN = 500.0
KICKOFF_S = 5.0


def winner_by_gain(y_before: float, y_after: float) -> int | None:
    gain = y_after - y_before
    if gain > MIN_GAIN:
        return 0
    if gain < -MIN_GAIN:
        return 1
    return None


def find_fifty_fifties(ctx: Context) -> list[dict[str, Any]]:
    t, team_of = ctx.frames.time, [p.team for p in ctx.replay.players]
    touches = ctx.touches
    kick_rows = list(ctx.phases.kickoff_rows)
    out, used = [], -1
    for a, first in enumerate(touches):
        if a <= used:
            continue
        for b in range(a + 1, len(touches)):
            second = touches[b]
            if t[second.row] - t[first.row] > WINDOW_S:
                break
            if team_of[second.player] != team_of[first.player]:
                out.append(_contest(ctx, first.row, second.row, first.player, second.player,
                                    kick_rows))
                used = b
                break
    return out


def _contest(ctx: Context, row_a: int, row_b: int, pa: int, pb: int,
             kick_rows: list[int]) -> dict[str, Any]:
    t, ball = ctx.frames.time, ctx.frames.ball_pos
    end = rows_until(ctx, row_b, RESOLVE_S)
    winner = winner_by_gain(float(ball[row_a, 1]), float(ball[end, 1]))
    kickoff = any(k <= row_a and t[row_a] - t[k] <= KICKOFF_S
                  and not any(k <= x.row < row_a for x in ctx.touches) for k in kick_rows)
    players = [{**player_ref(ctx, i), "team": team_name(ctx.replay.players[i].team)}
               for i in (pa, pb)]
    return {**at_time(ctx, row_a), "players": players, "winner_team": team_name(winner),
            "kickoff": kickoff}


def analyse(ctx: Context) -> Part:
    events = find_fifty_fifties(ctx)
    keys = [p.key for p in ctx.replay.players]
    stats: list[dict[str, float | int | None]] = [
        {"count": 0, "won": 0, "lost": 0, "kickoff_count": 0, "kickoff_won": 0} for _ in keys]
    for e in events:
        for p in e["players"]:
            s = stats[keys.index(p["player"])]
            won = e["winner_team"] == p["team"]
            lost = e["winner_team"] not in (None, p["team"])
            s["count"] = int(s["count"] or 0) + 1
            s["won"] = int(s["won"] or 0) + int(won)
            s["lost"] = int(s["lost"] or 0) + int(lost)
            if e["kickoff"]:
                s["kickoff_count"] = int(s["kickoff_count"] or 0) + 1
                s["kickoff_won"] = int(s["kickoff_won"] or 0) + int(won)
    for s in stats:
        s["win_pct"] = pct(float(s["won"] or 0), float(s["count"] or 0))
    return Part(sections={"fifty_fifties": events}, player_stats={"duels": stats})
