"""Core and demolition stats. The header's scoreboard is the truth here."""

from __future__ import annotations

from rlcoach.analysis.context import Context
from rlcoach.analysis.events import demolitions


def team_scores(ctx: Context) -> tuple[int, int]:
    h = ctx.replay.header
    # The header omits a team's score when it is zero.
    return int(h.get("Team0Score") or 0), int(h.get("Team1Score") or 0)


def core_stats(ctx: Context) -> list[dict[str, float | bool | None]]:
    players = ctx.replay.players
    scores = team_scores(ctx)
    winner = 0 if scores[0] > scores[1] else 1 if scores[1] > scores[0] else None
    shots = [0, 0]
    for p in players:
        shots[p.team] += (p.scoreboard or {}).get("shots", 0)
    best = None
    if winner is not None:
        on_winner = [(p.scoreboard or {}).get("score", 0) for p in players if p.team == winner]
        best = max(on_winner) if on_winner else None
    out: list[dict[str, float | bool | None]] = []
    mvp_given = False
    for p in players:
        sb = p.scoreboard or {}
        goals, s = sb.get("goals", 0), sb.get("shots", 0)
        is_mvp = (not mvp_given and winner is not None and p.team == winner
                  and p.scoreboard is not None and sb.get("score", 0) == best)
        mvp_given = mvp_given or is_mvp
        out.append({
            "score": sb.get("score", 0), "goals": goals, "assists": sb.get("assists", 0),
            "saves": sb.get("saves", 0), "shots": s,
            "shots_against": shots[1 - p.team], "goals_against": scores[1 - p.team],
            "shooting_percentage": 100.0 * goals / s if s else 0.0,
            "mvp": is_mvp,
        })
    return out


def demo_stats(ctx: Context) -> list[dict[str, int]]:
    out = [{"inflicted": 0, "taken": 0} for _ in ctx.replay.players]
    for d in demolitions(ctx):
        out[d.victim]["taken"] += 1
        if d.attacker is not None:
            out[d.attacker]["inflicted"] += 1
    return out
