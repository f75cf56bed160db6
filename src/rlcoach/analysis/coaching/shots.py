"""Shots and expected goals (xG) from the ball's flight after each touch.

A shot is a touch after which the ball, flown ballistically (gravity 650
uu/s^2, no bounces off walls), crosses the opponents' goal line within
``HORIZON_S`` near the goal mouth (within ``NEAR_MISS`` uu of a post or the
crossbar); it is on target when the crossing is inside the mouth (the goal
is 1786 uu wide, 642.775 uu high). The scorer's last touch before every goal
is a shot even when the flight misses the projection (bounces, redirects).
Touches by one player less than a second apart, with nobody else touching
in between, are one shot (its last touch).

xG model ("physical prior v1", documented in docs/coaching.md): a shot goes
in unless a defender gets to where the ball crosses the line first. With
``t_ball`` the ball's flight time to the line and ``t_def`` the nearest
defender's time to the crossing point (straight-line distance at
``DEFENDER_SPEED``), xG = OFF_TARGET_FACTOR^(off target) *
logistic(XG_BIAS + XG_SLOPE * (t_def - t_ball)). The two constants were
fitted once over the shared corpus (benchmarks/bench_xg_calibration.py
prints sum of xG against goals and a calibration table). It is a heuristic
prior, not a trained model; the engine's trained model (doubles only) is not
used, so every playlist gets the same definition.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rlcoach.analysis import field
from rlcoach.analysis.coaching.base import Part, at_time, player_ref, team_name
from rlcoach.analysis.context import Context

GRAVITY = 650.0
GOAL_HALF_WIDTH = 892.755
GOAL_HEIGHT = field.CROSSBAR_Z
BALL_RADIUS = 92.75
HORIZON_S = 3.0
NEAR_MISS = 300.0
MIN_SPEED_TO_GOAL = 300.0  # uu/s towards the goal
DEFENDER_SPEED = 1800.0
# Fitted by maximum likelihood on the corpus's 761 on-target shots
# (benchmarks/bench_xg_calibration.py); off target: 0 goals in 205 shots.
XG_BIAS = -0.33
XG_SLOPE = 1.42
OFF_TARGET_FACTOR = 0.02
MODEL = "physical-prior-v1"
SAME_ATTACK_S = 1.0


def crossing(pos: np.ndarray, vel: np.ndarray, team: int) -> tuple[float, float, float] | None:
    """Where and when the ball crosses the goal line team ``team`` attacks.

    Returns (x, z, seconds) or None when it heads elsewhere or too slowly.
    """
    sign = field.attack_sign(team)
    vy = float(vel[1]) * sign
    if vy < MIN_SPEED_TO_GOAL:
        return None
    t = (field.BACK_WALL_Y - float(pos[1]) * sign) / vy
    if not 0.0 <= t <= HORIZON_S:
        return None
    x = float(pos[0] + vel[0] * t)
    z = float(pos[2] + vel[2] * t - 0.5 * GRAVITY * t * t)
    return x, max(z, BALL_RADIUS), t


def on_frame(x: float, z: float, margin: float = 0.0) -> bool:
    return abs(x) <= GOAL_HALF_WIDTH + margin and z <= GOAL_HEIGHT + margin


def xg_value(t_ball: float, t_def: float, on_target: bool) -> float:
    margin = max(min(t_def - t_ball, 5.0), -5.0)
    p = 1.0 / (1.0 + math.exp(-(XG_BIAS + XG_SLOPE * margin)))
    return p if on_target else p * OFF_TARGET_FACTOR


def _defender_time(ctx: Context, row: int, team: int, target: np.ndarray) -> float:
    times = [float(np.linalg.norm(ctx.frames.players[j].pos[row] - target)) / DEFENDER_SPEED
             for j in ctx.team_members(1 - team) if ctx.tracked[j][row]]
    return min(times) if times else 5.0


def _goal_touches(ctx: Context) -> dict[int, int]:
    """Row of the scorer's last touch before each goal -> goal index."""
    out = {}
    for n, g in enumerate(ctx.goals):
        if g.row is None or g.scorer is None:
            continue
        rows = [x.row for x in ctx.touches if x.player == g.scorer and x.row <= g.row]
        if rows:
            out[rows[-1]] = n
    return out


def _same_attack(ctx: Context, a: int, b: int, player: int) -> bool:
    """Touches ``a`` < ``b`` by ``player`` within a second, nobody else between."""
    t = ctx.frames.time
    return bool(t[b] - t[a] <= SAME_ATTACK_S) and all(
        x.player == player for x in ctx.touches if a < x.row < b)


def find_shots(ctx: Context) -> list[dict[str, Any]]:
    frames = ctx.frames
    goal_touch = _goal_touches(ctx)
    live = ctx.phases.live
    shots: list[dict[str, Any]] = []
    last_shot_row: int | None = None
    for touch in ctx.touches:
        row, i = touch.row, touch.player
        team = ctx.replay.players[i].team
        after = min(row + 1, frames.n - 1)
        pos, vel = frames.ball_pos[after], frames.ball_vel[after]
        cross = crossing(pos, vel, team)
        scored = goal_touch.get(row)
        scored_ok = scored is not None and ctx.goals[scored].team == team
        if not scored_ok and (cross is None or not live[row]
                              or not on_frame(cross[0], cross[1], NEAR_MISS)):
            continue
        sign = field.attack_sign(team)
        if cross is None:  # a goal the straight-line flight did not predict
            x, z, t_ball = float(pos[0]), float(pos[2]), 0.5
        else:
            x, z, t_ball = cross
        target = np.array([x, field.BACK_WALL_Y * sign, z])
        on_target = scored_ok or on_frame(x, z)
        to_goal = target - pos
        speed = float(np.linalg.norm(vel))
        cos = float(np.dot(vel, to_goal) / max(speed * float(np.linalg.norm(to_goal)), 1e-6))
        if shots and shots[-1]["player"] == ctx.replay.players[i].key \
                and last_shot_row is not None and _same_attack(ctx, last_shot_row, row, i):
            shots.pop()  # a touch-and-shoot run counts once: keep its last touch
        last_shot_row = row
        shots.append({
            **at_time(ctx, row), **player_ref(ctx, i), "team": team_name(team),
            "position": [round(float(v), 1) for v in pos],
            "speed": round(speed, 1),
            "angle_deg": round(math.degrees(math.acos(max(-1.0, min(1.0, cos)))), 1),
            "distance": round(float(np.linalg.norm(to_goal)), 1),
            "xg": round(xg_value(t_ball, _defender_time(ctx, row, team, target), on_target), 3),
            "on_target": bool(on_target), "goal": bool(scored_ok), "model": MODEL,
        })
    return shots


def analyse(ctx: Context) -> Part:
    shots = find_shots(ctx)
    keys = [p.key for p in ctx.replay.players]
    stats: list[dict[str, float | int | None]] = [
        {"shots": 0, "on_target": 0, "goals": 0, "xg": 0.0} for _ in keys]
    for s in shots:
        v = stats[keys.index(s["player"])]
        v["shots"] = int(v["shots"] or 0) + 1
        v["on_target"] = int(v["on_target"] or 0) + int(s["on_target"])
        v["goals"] = int(v["goals"] or 0) + int(s["goal"])
        v["xg"] = float(v["xg"] or 0.0) + float(s["xg"])
    for v in stats:
        v["goals_minus_xg"] = float(v["goals"] or 0) - float(v["xg"] or 0.0)
    return Part(sections={"shots": shots}, player_stats={"shooting": stats})
