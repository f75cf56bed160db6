"""Per-player and per-team stats for one replay, in ballchasing's groups.

``compute_stats`` is the analysis entry point: pure numpy over
``ReplayData``; no I/O. Rounding and naming for the report happen in
``rlcoach.report``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rlcoach.analysis import boost, core, movement, positioning
from rlcoach.analysis.context import Context
from rlcoach.replay.types import ReplayData

Stats = dict[str, dict[str, float | int | bool | None]]


@dataclass
class MatchStats:
    context: Context
    players: list[Stats]
    teams: list[Stats]  # index 0 blue, 1 orange
    pickups: list[boost.Pickup] = field(default_factory=list)


def compute_stats(replay: ReplayData) -> MatchStats:
    ctx = Context(replay)
    cores = core.core_stats(ctx)
    demos = core.demo_stats(ctx)
    players: list[Stats] = []
    all_pickups: list[boost.Pickup] = []
    for i in range(len(replay.players)):
        picks = boost.pickups_for(ctx, i)
        all_pickups.extend(picks)
        players.append({
            "core": dict(cores[i]),
            "boost": dict(boost.boost_stats(ctx, i, picks)),
            "movement": dict(movement.movement_stats(ctx, i)),
            "positioning": dict(positioning.positioning_stats(ctx, i)),
            "demo": dict(demos[i]),
        })
    teams = [team_stats(ctx, players, t) for t in (0, 1)]
    all_pickups.sort(key=lambda p: (p.row, p.player))
    return MatchStats(ctx, players, teams, all_pickups)


def team_stats(ctx: Context, players: list[Stats], team: int) -> Stats:
    """Team-only figures; per-player sums are added by the report builder."""
    scores = core.team_scores(ctx)
    shots = sum(float(players[j]["core"]["shots"] or 0) for j in ctx.team_members(team))
    return {
        "core": {
            "goals": scores[team],
            "shots_against": sum(
                float(players[j]["core"]["shots"] or 0) for j in ctx.team_members(1 - team)),
            "goals_against": scores[1 - team],
            "shooting_percentage": 100.0 * scores[team] / shots if shots else 0.0,
        },
        "ball": {
            "possession_time": float(ctx.dt[(ctx.possession == team) & ctx.phases.live].sum()),
            "time_in_side": _ball_in_half(ctx, team),
        },
    }


def _ball_in_half(ctx: Context, team: int) -> float:
    sign = -1.0 if team == 0 else 1.0  # blue defends -y
    in_half = ctx.frames.ball_pos[:, 1] * sign > 0
    return float(ctx.dt[in_half & ctx.phases.live].sum()) if ctx.phases.known else float(
        ctx.dt[in_half].sum())


__all__ = ["MatchStats", "compute_stats"]
