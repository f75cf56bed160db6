"""Mechanics, each with a heuristic confidence in [0, 1] (not a probability).

Every rule reads the car's position, velocity and axes (from the engine's
rotation angles), the engine's per-row dodge and touch flags and the ball.
Thresholds follow the engine's detectors where they publish them
(subtr-actor ``src/stats/calculators``: speed flips keep the nose within
about 30-45 degrees of travel while the roof rolls about 175 degrees;
wavedashes land within about 0.1 s of the dodge and gain about 500 uu/s).

- speed_flip: a dodge near the floor after which the nose stays within 45
  degrees of the line of travel while the roof rolls over by 65+ degrees,
  landing within 1 s (kickoff approaches use the same test, looser).
- wavedash: landing on the floor with a sudden 250+ uu/s gain of
  horizontal speed (see ``wavedashes``: the dodge flag misses them).
- half_flip: a dodge while driving backwards (500+ uu/s) after which the
  car faces the other way (within 25 degrees) and drives forwards at 800+
  uu/s within 1.2 s.
- flip_reset: an airborne touch with the ball under the car's floor, then a
  dodge before the car lands again (the refreshed flip used).
- ceiling_shot: leaving the ceiling and touching the ball before landing.
- air_dribble: 2+ consecutive airborne touches by one player, nobody else
  touching, each within 1.2 s.
- double_tap: an airborne touch, the ball off the opponents' backboard,
  and the same player's airborne touch within 2 s, nobody else between.
- flick: the ball on the roof (within 250 uu across, 50-300 uu above) for
  half of the 0.3 s before a dodge, then a touch within 0.25 s of the dodge
  that sends the ball 300+ uu/s faster (the engine's flicks gain about 600).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rlcoach.analysis import field
from rlcoach.analysis.coaching.base import Part, at_time, axes, player_ref, rows_until
from rlcoach.analysis.coaching.kickoffs import SPEEDFLIP_ALIGN, flip_kind
from rlcoach.analysis.context import Context

KINDS = ("speed_flip", "wavedash", "half_flip", "flip_reset", "ceiling_shot", "air_dribble",
         "double_tap", "flick")
FLOOR_Z = 40.0
AIR_Z = 250.0
WALL_GAP = 120.0
CEILING_Z = field.CEILING_Z - 120.0
WAVEDASH_LAND_S = 0.15
WAVEDASH_GAIN = 250.0
HALF_FLIP_S = 1.2
HALF_FLIP_BACK_SPEED = 500.0
SPEEDFLIP_MIN_ROLL = 0.9  # the engine's speed flips roll about 175 degrees
RESET_UNDER = -40.0  # ball centre this far below the car's floor plane (uu)
AIR_TOUCH_GAP_S = 1.2
DOUBLE_TAP_S = 2.0
BACKBOARD_Y = field.BACK_WALL_Y - 250.0
FLICK_CARRY_S = 0.3
FLICK_TOUCH_S = 0.25
FLICK_GAIN = 300.0
FLICK_ON_ROOF = 0.5  # share of the carry window with the ball on the roof


def airborne(pos: np.ndarray) -> np.ndarray:
    """Rows where the car is off every surface (floor, walls, ceiling)."""
    x, y, z = np.abs(pos[:, 0]), np.abs(pos[:, 1]), pos[:, 2]
    return (z > AIR_Z) & (x < field.SIDE_WALL_X - WALL_GAP) & (
        y < field.BACK_WALL_Y - WALL_GAP) & (z < CEILING_Z)


def _landing(pos: np.ndarray, row: int, limit: int) -> int | None:
    low = np.flatnonzero(pos[row:limit, 2] < FLOOR_Z)
    return row + int(low[0]) if len(low) else None


def _event(ctx: Context, row: int, i: int, kind: str, confidence: float) -> dict[str, Any]:
    return {**at_time(ctx, row), **player_ref(ctx, i), "kind": kind,
            "confidence": round(float(np.clip(confidence, 0.0, 1.0)), 2)}


def dodge_mechanics(ctx: Context, i: int) -> list[dict[str, Any]]:
    pf, out = ctx.frames.players[i], []
    hspeed = np.linalg.norm(pf.vel[:, :2], axis=1)
    for dodge_row in np.flatnonzero(pf.dodge & ctx.phases.live):
        d = int(dodge_row)
        end = rows_until(ctx, d, 1.0) + 1
        land = _landing(pf.pos, d, end)
        if pf.rot is None:
            continue
        if pf.pos[d, 2] < 120 and land is not None and _rolled(pf.rot[d:land + 1]) and \
                flip_kind(pf.rot[d:end], pf.vel[d:end], near_ball=False) == "speed_flip":
            forward, _ = axes(pf.rot[d:land + 1])
            travel = pf.vel[d:land + 1, :2] / np.maximum(hspeed[d:land + 1, None], 1.0)
            align = float(np.min(np.sum(forward[:, :2] * travel, axis=1)))
            out.append(_event(ctx, d, i, "speed_flip",
                              0.5 + (align - SPEEDFLIP_ALIGN) / (1 - SPEEDFLIP_ALIGN) / 2))
            continue
        half = _half_flip(ctx, i, d)
        if half is not None:
            out.append(_event(ctx, d, i, "half_flip", half))
    return out


def _rolled(rot: np.ndarray) -> bool:
    """The roof rolled over by SPEEDFLIP_MIN_ROLL (sine of the roll angle) or more."""
    forward, up = axes(rot)
    f0 = forward[0, :2] / max(float(np.linalg.norm(forward[0, :2])), 1e-6)
    side = np.array([-f0[1], f0[0], 0.0])
    return float(np.max(np.abs((up - up[0]) @ side))) >= SPEEDFLIP_MIN_ROLL


def wavedashes(ctx: Context, i: int) -> list[dict[str, Any]]:
    """Landings that gain horizontal speed at once: the dodge's impulse.

    The engine's dodge flag is missing on wavedashes (the dodge lasts one or
    two network frames), so the rule reads the jump in speed instead: 250+
    uu/s between two samples as the car comes down onto the floor from above
    35 uu, with no ball touch or other car within 300 uu (a bump also jumps).
    """
    pf, t = ctx.frames.players[i], ctx.frames.time
    hspeed = np.linalg.norm(pf.vel[:, :2], axis=1)
    jump = np.r_[0.0, np.diff(hspeed)]
    cand = np.flatnonzero((jump >= WAVEDASH_GAIN) & (pf.pos[:, 2] < 60) & ctx.phases.live
                          & ~pf.touch)
    out, last = [], -1e9
    for row in cand:
        r = int(row)
        before = int(np.searchsorted(t, t[r] - WAVEDASH_LAND_S * 2))
        if t[r] - last < 1.0 or not np.any(pf.pos[before:r, 2] > 35.0):
            continue
        others = [j for j in range(len(ctx.frames.players)) if j != i
                  and ctx.frames.players[j].present[r]
                  and np.linalg.norm(ctx.frames.players[j].pos[r] - pf.pos[r]) < 300]
        if others or ctx.dist_to_ball[i][r] < 300:
            continue
        last = float(t[r])
        out.append(_event(ctx, r, i, "wavedash", 0.5 + float(jump[r]) / 1000.0))
    return out


def _half_flip(ctx: Context, i: int, d: int) -> float | None:
    pf = ctx.frames.players[i]
    assert pf.rot is not None
    f0 = axes(pf.rot[d])[0]
    v0 = pf.vel[d]
    if float(np.dot(f0, v0)) > -HALF_FLIP_BACK_SPEED or pf.pos[d, 2] > 200:
        return None  # not driving backwards near the floor
    end = rows_until(ctx, d, HALF_FLIP_S)
    f1 = axes(pf.rot[end])[0]
    turned = -float(np.dot(f0[:2], f1[:2]))
    forward_speed = float(np.dot(f1, pf.vel[end]))
    if turned < 0.9 or forward_speed < 800.0:
        return None
    return 0.4 + 0.3 * turned + 0.3 * min(forward_speed / 1500.0, 1.0)


def touch_mechanics(ctx: Context) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    air = [airborne(pf.pos) for pf in ctx.frames.players]
    touches = ctx.touches
    for k, x in enumerate(touches):
        if not ctx.phases.live[x.row]:
            continue
        i, row = x.player, x.row
        if air[i][row]:
            reset = _flip_reset(ctx, i, row, air[i])
            if reset is not None:
                out.append(_event(ctx, row, i, "flip_reset", reset))
            if _from_ceiling(ctx, i, row):
                out.append(_event(ctx, row, i, "ceiling_shot", 0.7))
            nxt = touches[k + 1] if k + 1 < len(touches) else None
            if nxt is not None and nxt.player == i and air[i][nxt.row]:
                tap = _double_tap(ctx, i, row, nxt.row)
                if tap is not None:
                    out.append(_event(ctx, nxt.row, i, "double_tap", tap))
        flick = _flick(ctx, i, row)
        if flick is not None:
            out.append(_event(ctx, row, i, "flick", flick))
    out.extend(_air_dribbles(ctx, air))
    return out


def _flip_reset(ctx: Context, i: int, row: int, air: np.ndarray) -> float | None:
    pf = ctx.frames.players[i]
    if pf.rot is None:
        return None
    _, up = axes(pf.rot[row])
    under = float(np.dot(ctx.frames.ball_pos[row] - pf.pos[row], up))
    if under > RESET_UNDER:
        return None
    end = rows_until(ctx, row, 3.0)
    land = next((r for r in range(row, end + 1) if not air[r]), end)
    later = np.flatnonzero(pf.dodge[row + 1:land])
    if not len(later):
        return None
    return 0.6 + min(-under / 400.0, 0.4)


def _from_ceiling(ctx: Context, i: int, row: int) -> bool:
    z = ctx.frames.players[i].pos[:, 2]
    start = int(np.searchsorted(ctx.frames.time, ctx.frames.time[row] - 3.0))
    window = z[start:row + 1]
    top = np.flatnonzero(window >= CEILING_Z)
    return bool(len(top)) and bool(np.all(window[int(top[-1]):] > FLOOR_Z))


def _double_tap(ctx: Context, i: int, a: int, b: int) -> float | None:
    t, ball = ctx.frames.time, ctx.frames.ball_pos
    if t[b] - t[a] > DOUBLE_TAP_S:
        return None
    sign = field.attack_sign(ctx.replay.players[i].team)
    y = ball[a:b + 1, 1] * sign
    vy = ctx.frames.ball_vel[a:b + 1, 1] * sign
    hit = np.flatnonzero((y > BACKBOARD_Y) & (ball[a:b + 1, 2] > field.CROSSBAR_Z))
    if not len(hit) or not np.any(vy[int(hit[0]):] < 0):
        return None
    goal = any(g.row is not None and b <= g.row <= rows_until(ctx, b, 3.0) for g in ctx.goals)
    return 0.9 if goal else 0.7


def _flick(ctx: Context, i: int, row: int) -> float | None:
    pf, t = ctx.frames.players[i], ctx.frames.time
    start = int(np.searchsorted(t, t[row] - FLICK_TOUCH_S))
    dodges = np.flatnonzero(pf.dodge[start:row + 1])
    if not len(dodges):
        return None
    d = start + int(dodges[0])
    carry_from = int(np.searchsorted(t, t[d] - FLICK_CARRY_S))
    rel = ctx.frames.ball_pos[carry_from:d + 1] - pf.pos[carry_from:d + 1]
    on_roof = (np.linalg.norm(rel[:, :2], axis=1) < 250) & (rel[:, 2] > 50) & (rel[:, 2] < 300)
    if on_roof.mean() < FLICK_ON_ROOF or pf.pos[d, 2] > 300:
        return None
    after = min(row + 2, ctx.frames.n - 1)
    speed = np.linalg.norm(ctx.frames.ball_vel, axis=1)
    gain = float(speed[after] - speed[max(d - 1, 0)])
    return 0.5 + min(gain / 2000.0, 0.5) if gain >= FLICK_GAIN else None


def _air_dribbles(ctx: Context, air: list[np.ndarray]) -> list[dict[str, Any]]:
    t = ctx.frames.time
    out: list[dict[str, Any]] = []
    run: list[Any] = []
    for x in ctx.touches:
        ok = air[x.player][x.row] and ctx.frames.ball_pos[x.row, 2] > AIR_Z
        if ok and run and run[-1].player == x.player and t[x.row] - t[run[-1].row] <= \
                AIR_TOUCH_GAP_S:
            run.append(x)
            continue
        if len(run) >= 2:
            out.append(_event(ctx, run[0].row, run[0].player, "air_dribble",
                              0.4 + 0.2 * len(run)))
        run = [x] if ok else []
    if len(run) >= 2:
        out.append(_event(ctx, run[0].row, run[0].player, "air_dribble", 0.4 + 0.2 * len(run)))
    return out


def analyse(ctx: Context) -> Part:
    events = touch_mechanics(ctx)
    for i in range(len(ctx.replay.players)):
        events.extend(dodge_mechanics(ctx, i))
        events.extend(wavedashes(ctx, i))
    events.sort(key=lambda e: (e["time"], e["player"] or ""))
    keys = [p.key for p in ctx.replay.players]
    stats: list[dict[str, float | int | None]] = [{k: 0 for k in KINDS} for _ in keys]
    for e in events:
        s = stats[keys.index(e["player"])]
        s[e["kind"]] = int(s[e["kind"]] or 0) + 1
    return Part(sections={"mechanics": events}, player_stats={"mechanics": stats})
