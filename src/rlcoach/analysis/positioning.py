"""Positioning stats: thirds, halves, ball side, team roles and distances.

Thirds are equal thirds of the pitch (ballchasing), not the engine's split
at the side boost pads. Team roles (most back/forward, closest/farthest to
the ball) compare a player with the teammates on the pitch at that moment.
"""

from __future__ import annotations

import numpy as np

from rlcoach.analysis import field
from rlcoach.analysis.context import Context


def positioning_stats(ctx: Context, i: int) -> dict[str, float]:
    info = ctx.replay.players[i]
    mask = ctx.tracked[i]
    dt = ctx.dt * mask
    total = float(dt.sum()) or 1.0
    y = ctx.y_forward[i]
    ball_y = ctx.frames.ball_pos[:, 1] * field.attack_sign(info.team)
    dist = ctx.dist_to_ball[i]
    own_ball = ctx.possession == info.team
    their_ball = ctx.possession == 1 - info.team

    def share(sel: np.ndarray) -> float:
        return float(dt[sel].sum())

    def mean(values: np.ndarray, sel: np.ndarray) -> float:
        w = dt * sel
        return float((values * w).sum() / w.sum()) if w.sum() > 0 else 0.0

    times = {
        "defensive_third": share(y < -field.THIRD_Y),
        "neutral_third": share((y >= -field.THIRD_Y) & (y <= field.THIRD_Y)),
        "offensive_third": share(y > field.THIRD_Y),
        "defensive_half": share(y < 0),
        "offensive_half": share(y >= 0),
        "behind_ball": share(y < ball_y),
        "infront_ball": share(y >= ball_y),
    }
    roles = _team_roles(ctx, i)
    mates = ctx.teammates(i)
    if mates:
        gaps = [
            np.where(ctx.tracked[j], np.linalg.norm(ctx.frames.players[i].pos
                                                    - ctx.frames.players[j].pos, axis=1), np.nan)
            for j in mates
        ]
        stacked = np.vstack(gaps)
        has_mate = ~np.all(np.isnan(stacked), axis=0)
        mate_dist = np.full(stacked.shape[1], np.nan)
        mate_dist[has_mate] = np.nanmean(stacked[:, has_mate], axis=0)
        avg_mates = mean(np.nan_to_num(mate_dist), has_mate)
    else:
        avg_mates = 0.0
    # Distances to the ball leave out kickoff countdowns (cars parked at
    # their spots) but keep the seconds after a goal: measured on the
    # references, avg_distance_to_ball is within tolerance for 16/16 players
    # and the possession splits 14/16 each; 14/16 and 12-13/16 without
    # post-goal rows, 9/16 over all tracked rows.
    in_play = ~ctx.phases.countdown
    stats: dict[str, float] = {
        "avg_distance_to_ball": mean(dist, in_play),
        "avg_distance_to_ball_possession": mean(dist, own_ball & in_play),
        "avg_distance_to_ball_no_possession": mean(dist, their_ball & in_play),
        "avg_distance_to_mates": avg_mates,
    }
    for k in ("defensive_third", "neutral_third", "offensive_third", "defensive_half",
              "offensive_half", "behind_ball", "infront_ball"):
        stats[f"time_{k}"] = times[k]
    for k, t in roles.items():
        stats[f"time_{k}"] = t
    stats["goals_against_while_last_defender"] = _goals_as_last_defender(ctx, i)
    for k in ("defensive_third", "offensive_third", "neutral_third", "defensive_half",
              "offensive_half", "behind_ball", "infront_ball"):
        stats[f"percent_{k}"] = 100.0 * times[k] / total
    role_base = ctx.percent_base or 1.0  # ballchasing's base: see Context.percent_base
    for k, t in roles.items():
        stats[f"percent_{k}"] = 100.0 * t / role_base
    return stats


def _team_roles(ctx: Context, i: int) -> dict[str, float]:
    team = ctx.team_members(ctx.replay.players[i].team)
    # Roles are judged in live play and the seconds after a goal, never in
    # kickoff countdowns (see docs/parity.md).
    in_play = ~ctx.phases.countdown
    dt = ctx.dt
    if len(team) < 2:  # alone on the team: every role is always this player's
        alone = float((dt * ctx.tracked[i] * in_play).sum())
        return {"most_back": alone, "most_forward": alone, "closest_to_ball": alone,
                "farthest_from_ball": alone}
    k = team.index(i)
    mine = ctx.tracked[i] & in_play
    # A demolished car waiting to respawn counts as the team's last player
    # and the farthest from the ball; its teammates' roles are unchanged.
    dead = ctx.respawning[i] & in_play & ~ctx.early_countdown
    y = np.vstack([np.where(ctx.tracked[j], ctx.y_forward[j], np.nan) for j in team])
    # Closest/farthest compare distances on the ground plane: measured on
    # the reference replays, closest/farthest times are within tolerance for
    # 12/12 and 9/12 players this way, 9/12 and 8/12 with 3-D distances.
    ball_xy = ctx.frames.ball_pos[:, :2]
    d = np.vstack([
        np.where(ctx.tracked[j], np.linalg.norm(ctx.frames.players[j].pos[:, :2] - ball_xy, axis=1),
                 np.nan)
        for j in team
    ])
    y_f, d_f = np.nan_to_num(y, nan=np.inf), np.nan_to_num(d, nan=np.inf)
    y_b, d_b = np.nan_to_num(y, nan=-np.inf), np.nan_to_num(d, nan=-np.inf)
    return {
        "most_back": float(dt[(mine & (np.argmin(y_f, axis=0) == k)) | dead].sum()),
        "most_forward": float(dt[mine & (np.argmax(y_b, axis=0) == k)].sum()),
        "closest_to_ball": float(dt[mine & (np.argmin(d_f, axis=0) == k)].sum()),
        "farthest_from_ball": float(dt[(mine & (np.argmax(d_b, axis=0) == k)) | dead].sum()),
    }


def _goals_as_last_defender(ctx: Context, i: int) -> int:
    """Goals conceded while this player was the team's deepest car."""
    team = ctx.replay.players[i].team
    members = ctx.team_members(team)
    count = 0
    for goal in ctx.goals:
        if goal.team == team or goal.row is None:
            continue
        row = max(goal.row - 1, 0)
        ys = {j: ctx.y_forward[j][row] for j in members if ctx.tracked[j][row]}
        if ys and min(ys, key=lambda j: ys[j]) == i:
            count += 1
    return count
