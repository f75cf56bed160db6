"""Touch mechanics: flip resets, ceiling shots, air dribbles, double taps, flicks.

Each rule starts from a ball touch (the engine's per-row touch flag) and reads
the car and ball around it; dodges come from ``dodges.dodge_starts`` (the
engine's dodge flag moved back to the dodge itself).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rlcoach.analysis import field
from rlcoach.analysis.coaching.base import axes, rows_until
from rlcoach.analysis.coaching.mechanics.common import AIR_Z, CEILING_Z, airborne, event, score
from rlcoach.analysis.coaching.mechanics.dodges import GROUND_Z, dodge_starts
from rlcoach.analysis.context import Context

RESET_UNDER = -40.0  # ball centre this far below the car's floor plane (uu)
AIR_TOUCH_GAP_S = 2.2  # the engine's air dribbles go up to about 2 s between touches
DRIBBLE_NEAR = 450.0  # median car-ball distance (the engine's carries keep about 160)
CEILING_S = 1.3  # ceiling shot: off the ceiling to the touch
TO_BOARD_S = 3.0  # double tap: first touch to the backboard
FROM_BOARD_S = 1.5  # and the backboard to the second touch
AT_BOARD_S = 0.1  # a second touch this close to the bounce is at the board
GOAL_HALF_WIDTH = 892.755
GOAL_SLACK = 250.0  # "into or close to the goal mouth" (uu)
BACKBOARD_Y = field.BACK_WALL_Y - 250.0
# flick (the engine's FlickCalculator): a carry, a dodge, a dodge-powered touch
FLICK_CARRY_S = 0.3  # the window before the dodge read for the carry
FLICK_CARRIED = 0.6  # share of that window with the ball on the car
FLICK_GAP_XY = 158.0  # ball centre within this of the car's, across (1.7 ball radii)
FLICK_GAP_Z = (35.0, 280.0)  # and this far above it
FLICK_REL_SPEED = 300.0  # ball and car move together at some point of the carry
FLICK_TOUCH_S = (-0.1, 0.32)  # touch this long after the dodge (before: replication)
FLICK_IMPULSE_S = 0.15  # the ball's change of velocity is read until this long after
FLICK_BEFORE_S = 0.1  # from this long before the touch or the dodge, whichever is first
FLICK_MIN_IMPULSE = 325.0
FLICK_AWAY = 0.15  # the impulse points away from the car (cosine)
BALL_GRAVITY = np.array([0.0, 0.0, -650.0])


def touch_mechanics(ctx: Context) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    air = [airborne(pf.pos) for pf in ctx.frames.players]
    starts = [dodge_starts(ctx, i) for i in range(len(ctx.frames.players))]
    touches = ctx.touches
    last_reset = [-1] * len(air)
    last_flick = [-1e9] * len(air)
    used_ceiling = [-1] * len(air)
    for k, x in enumerate(touches):
        if not ctx.phases.live[x.row]:
            continue
        i, row = x.player, x.row
        if air[i][row]:
            reset = flip_reset(ctx, i, row, air[i], starts[i])
            # one reset per refreshed flip: touches after a reset, in the same
            # flight and before its dodge, ride the same flip
            a = last_reset[i]
            same_flip = a >= 0 and bool(np.all(air[i][a:row + 1])) and not np.any(
                (starts[i] > a) & (starts[i] <= row))
            if reset is not None and not same_flip:
                last_reset[i] = row
                out.append(event(ctx, row, i, "flip_reset", reset))
            top = ceiling_shot(ctx, i, row)
            if top is not None and top != used_ceiling[i]:
                used_ceiling[i] = top  # one shot per visit to the ceiling
                out.append(event(ctx, row, i, "ceiling_shot", 0.7))
        nxt = touches[k + 1] if k + 1 < len(touches) else None
        if nxt is not None and nxt.player == i and air[i][nxt.row]:
            tap = double_tap(ctx, i, row, nxt.row)
            if tap is not None:
                out.append(event(ctx, nxt.row, i, "double_tap", tap))
        conf = flick(ctx, i, row, starts[i])
        if conf is not None and ctx.frames.time[row] - last_flick[i] > FLICK_TOUCH_S[1]:
            last_flick[i] = float(ctx.frames.time[row])  # one flick per dodge
            out.append(event(ctx, row, i, "flick", conf))
    out.extend(_air_dribbles(ctx, air))
    return out


def flip_reset(ctx: Context, i: int, row: int, air: np.ndarray,
               starts: np.ndarray) -> float | None:
    pf = ctx.frames.players[i]
    if pf.rot is None:
        return None
    _, up = axes(pf.rot[row])
    under = float(np.dot(ctx.frames.ball_pos[row] - pf.pos[row], up))
    if under > RESET_UNDER:
        return None
    end = rows_until(ctx, row, 3.0)
    land = next((r for r in range(row, end + 1) if not air[r]), end)
    if not np.any((starts > row) & (starts < land)):
        return None
    return 0.6 + min(-under / 400.0, 0.4)


def ceiling_shot(ctx: Context, i: int, row: int) -> int | None:
    """The row where the car left the ceiling, if the touch at ``row`` is a ceiling shot.

    As the engine's rule: the car was on the ceiling at most 1.3 s before the
    touch (the engine's ceiling shots come 0.17-1.25 s after it) and has not
    been back on the floor since.
    """
    z, t = ctx.frames.players[i].pos[:, 2], ctx.frames.time
    start = int(np.searchsorted(t, t[row] - CEILING_S))
    window = z[start:row + 1]
    top = np.flatnonzero(window >= CEILING_Z)
    if not len(top) or not np.all(window[int(top[-1]):] > GROUND_Z * 2):
        return None
    return start + int(top[-1])


def double_tap(ctx: Context, i: int, a: int, b: int) -> float | None:
    """Confidence that touches ``a`` then ``b`` (player ``i``, nobody between) are a double tap.

    The engine's rule: the ball goes off the opponents' backboard (above the
    crossbar, within 250 uu of the back wall, then coming back off it, or
    touched again right at it) after the player's touch, and the same
    player touches it again, in the air, soon after the bounce. We allow 3 s
    from the first touch to the bounce and 1.5 s from the bounce to the
    second touch.
    """
    t, ball = ctx.frames.time, ctx.frames.ball_pos
    sign = field.attack_sign(ctx.replay.players[i].team)
    y = ball[a:b + 1, 1] * sign
    hit = np.flatnonzero((y > BACKBOARD_Y) & (ball[a:b + 1, 2] > field.CROSSBAR_Z))
    if not len(hit):
        return None
    h = a + int(hit[0])
    back = np.any(ctx.frames.ball_vel[h:b + 1, 1] * sign < 0) or t[b] - t[h] <= AT_BOARD_S
    if not back or t[h] - t[a] > TO_BOARD_S or t[b] - t[h] > FROM_BOARD_S:
        return None
    if not _towards_goal(ctx, b, sign):
        return None
    goal = any(g.row is not None and b <= g.row <= rows_until(ctx, b, 3.0) for g in ctx.goals)
    return 0.9 if goal else 0.7


def _towards_goal(ctx: Context, row: int, sign: float) -> bool:
    """The ball's straight line just after the touch at ``row`` crosses the goal
    line near the goal mouth (within ``GOAL_SLACK`` of the posts and crossbar)."""
    after = min(row + 2, ctx.frames.n - 1)
    pos, vel = ctx.frames.ball_pos[after], ctx.frames.ball_vel[after]
    vy = vel[1] * sign
    if vy <= 0:
        return False
    s = (field.BACK_WALL_Y - pos[1] * sign) / vy
    x, z = pos[0] + vel[0] * s, pos[2] + vel[2] * s
    return bool(abs(x) <= GOAL_HALF_WIDTH + GOAL_SLACK and z <= field.CROSSBAR_Z + GOAL_SLACK)


def flick(ctx: Context, i: int, row: int, starts: np.ndarray) -> float | None:
    """Confidence that the touch at ``row`` is a flick, else None.

    The engine's rule (FlickCalculator): the ball rides on the car (centre
    within 158 uu across and 35-280 uu above the car's, and at some moment
    moving with the car, within 300 uu/s) before a dodge, and the same
    player touches it from 0.1 s before to 0.32 s after the dodge, changing
    its velocity (gravity removed, the peak over 0.15 s) by 325+ uu/s away
    from the car. We read the carry as 60% of the 0.3 s before the dodge, and
    the ball's change from 0.1 s before the touch or the dodge, whichever is
    first (the touch flag can trail the kick by a row).
    """
    pf, t, f = ctx.frames.players[i], ctx.frames.time, ctx.frames
    gap = t[starts] - t[row]
    near = starts[(gap >= -FLICK_TOUCH_S[1]) & (gap <= -FLICK_TOUCH_S[0])]
    if not len(near):
        return None
    d = int(near[-1])
    lo = int(np.searchsorted(t, t[d] - FLICK_CARRY_S))
    rel = f.ball_pos[lo:d + 1] - pf.pos[lo:d + 1]
    on_car = (np.linalg.norm(rel[:, :2], axis=1) <= FLICK_GAP_XY) & (
        rel[:, 2] >= FLICK_GAP_Z[0]) & (rel[:, 2] <= FLICK_GAP_Z[1])
    if on_car.mean() < FLICK_CARRIED:
        return None
    together = np.linalg.norm(f.ball_vel[lo:d + 1, :2] - pf.vel[lo:d + 1, :2], axis=1)
    if float(np.min(together[on_car])) > FLICK_REL_SPEED:
        return None
    # from just before the contact (the touch flag can trail the kick by a row)
    base = max(int(np.searchsorted(t, t[min(row, d)] - FLICK_BEFORE_S)) - 1, 0)
    stop = rows_until(ctx, row, FLICK_IMPULSE_S) + 1
    dv = f.ball_vel[base + 1:stop] - f.ball_vel[base] - np.outer(t[base + 1:stop] - t[base],
                                                                 BALL_GRAVITY)
    k = int(np.argmax(np.linalg.norm(dv, axis=1)))
    impulse = float(np.linalg.norm(dv[k]))
    away = f.ball_pos[base] - pf.pos[base]
    cos = float(dv[k] @ away) / max(impulse * float(np.linalg.norm(away)), 1e-6)
    if impulse < FLICK_MIN_IMPULSE or cos < FLICK_AWAY:
        return None
    return 0.5 + 0.3 * score(impulse, FLICK_MIN_IMPULSE, 1500.0) + 0.2 * float(on_car.mean())


def _air_dribbles(ctx: Context, air: list[np.ndarray]) -> list[dict[str, Any]]:
    """Runs of one player's touches, nobody else's between, each within 2.2 s of the
    last: 3+ touches, 2+ of them in the air (car and ball above 250 uu), the ball
    kept close (median car-ball distance under 450 uu from the first touch to the
    last). The first touch may be the take-off from the floor or a wall, and the
    event is timed there, as the engine's air dribbles are (ball_carry, kind
    air_dribble: 3+ touches, up to about 2 s apart, the ball about 160 uu away).
    """
    out: list[dict[str, Any]] = []
    run: list[Any] = []
    for x in [*ctx.touches, None]:
        if x is not None and run and x.player == run[-1].player and \
                ctx.frames.time[x.row] - ctx.frames.time[run[-1].row] <= AIR_TOUCH_GAP_S and \
                _in_air(ctx, air, x):
            run.append(x)
            continue
        confidence = _air_dribble(ctx, air, run)
        if confidence is not None:
            out.append(event(ctx, run[0].row, run[0].player, "air_dribble", confidence))
        run = [x] if x is not None else []
    return out


def _in_air(ctx: Context, air: list[np.ndarray], x: Any) -> bool:
    return bool(air[x.player][x.row]) and bool(ctx.frames.ball_pos[x.row, 2] > AIR_Z)


def _air_dribble(ctx: Context, air: list[np.ndarray], run: list[Any]) -> float | None:
    aloft = [x for x in run if _in_air(ctx, air, x)]
    if len(aloft) < 2 or len(run) < 3:
        return None
    gap = ctx.dist_to_ball[run[0].player][run[0].row:run[-1].row + 1]
    if float(np.median(gap)) > DRIBBLE_NEAR:
        return None
    return 0.4 + 0.2 * min(len(aloft), 3)
