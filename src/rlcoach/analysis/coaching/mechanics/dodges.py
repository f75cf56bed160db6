"""Dodge mechanics: speed flips, half-flips and wavedashes.

Each rule starts from a dodge and reads the car's axes, position and
velocity until it lands. Definitions and thresholds follow the engine's
detectors (subtr-actor ``src/stats/calculators``: speed_flip, half_flip,
wavedash), so the two can be compared.

Dodge starts. The engine's per-row dodge column marks the row where its
dodge *event* is pushed, and the engine holds that event back for its 0.45 s
rotation window after the dodge-active edge (subtr-actor
``DODGE_EMITTED_EVENTS``). On the corpus the flagged row trails the dodge's
impulse (the largest one-row jump in horizontal velocity) by 0.47 s, i.e. 14
rows at 30 Hz, for every dodge of the half-flip drill but one, and the
engine's own speed-flip times sit 0.47 s before our flags. So every rule here
moves the flag back to the last row at least ``DODGE_LAG_S`` earlier. The
per-frame fallback path reads the dodge-active edge itself and is not moved.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rlcoach.analysis import field
from rlcoach.analysis.coaching.base import axes, rows_until
from rlcoach.analysis.coaching.mechanics.common import event, score
from rlcoach.analysis.context import Context

DODGE_LAG_S = 0.45
GROUND_Z = 20.0  # the engine's PLAYER_GROUND_Z_THRESHOLD (a car at rest sits at 17)
# speed flip: a ground dodge whose flip is cancelled into a roll
SPEEDFLIP_MAX_Z = 130.0
SPEEDFLIP_GROUND_S = 0.30  # the dodge fires within this long of leaving the floor
SPEEDFLIP_AIR_S = 1.8  # back on the floor within this long, else an aerial
SPEEDFLIP_MIN_SPEED = 1600.0
SPEEDFLIP_ALIGN = 0.60  # nose vs travel, cosine (rows above 200 uu/s)
SPEEDFLIP_MAX_NOSE_DEG = 70.0
SPEEDFLIP_MIN_ROLL_DEG = 95.0
# Ours, for what the engine reads from the dodge torque (see ``speed_flip``): the dodge's
# sideways push, the game's speed scaling undone (``side_impulse``), and how far the
# nose rises above its pitch at the dodge.
SPEEDFLIP_MAX_SIDE = 400.0
SPEEDFLIP_MAX_RISE_DEG = 25.0
# half-flip: the nose turns round and ends along the line of travel
HALF_FLIP_MAX_Z = 130.0
HALF_FLIP_S = 0.65
HALF_FLIP_REVERSAL = 0.80
HALF_FLIP_ALIGN = 0.60
HALF_FLIP_PITCH = 0.22  # |nose z|: the car flipped rather than turned on its wheels
HALF_FLIP_MIN_CONFIDENCE = 0.55
# wavedash: a dodge just above the floor that lands on its wheels at once
WAVEDASH_MIN_Z = GROUND_Z + 8.0
WAVEDASH_MAX_Z = 320.0
WAVEDASH_LAND_S = 0.35
WAVEDASH_UPRIGHT = 0.15
WAVEDASH_MIN_CONFIDENCE = 0.45


def dodge_starts(ctx: Context, i: int) -> np.ndarray:
    """Rows where player ``i``'s dodges start, in live play (see module docstring)."""
    pf, t = ctx.frames.players[i], ctx.frames.time
    rows = np.flatnonzero(pf.dodge)
    if ctx.replay.source == "ndarray" and len(rows):
        rows = np.maximum(np.searchsorted(t, t[rows] - DODGE_LAG_S, side="right") - 1, 0)
    return rows[ctx.phases.live[rows]]


def _unit_xy(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v[..., :2], axis=-1, keepdims=True)
    return np.where(n > 1e-6, v[..., :2] / np.maximum(n, 1e-6), 0.0)


def speed_flip(ctx: Context, i: int, d: int) -> float | None:
    """Confidence that the dodge at row ``d`` is a speed flip, else None.

    The engine's rule: (a) the dodge fires from the floor (below 130 uu, at
    most 0.3 s after the wheels left it) and the car lands within 1.8 s;
    (b) it reaches 1600 uu/s; (c) the nose stays within 53 degrees of the
    line of travel; (d) the nose sweeps at most 70 degrees from its heading
    at the dodge while the roof rolls 95+ degrees (a cancelled flip).
    """
    pf, t = ctx.frames.players[i], ctx.frames.time
    z = pf.pos[:, 2]
    if pf.rot is None or z[d] > SPEEDFLIP_MAX_Z:
        return None
    before = int(np.searchsorted(t, t[d] - SPEEDFLIP_GROUND_S))
    if not np.any(z[before:d + 1] <= GROUND_Z):
        return None
    end = rows_until(ctx, d, SPEEDFLIP_AIR_S)
    landed = np.flatnonzero(z[d + 1:end + 1] <= GROUND_Z)
    if not len(landed):
        return None
    if side_impulse(ctx, i, d) > SPEEDFLIP_MAX_SIDE:
        return None  # a side flip: the engine reads its dodge torque, we read its push
    arc = slice(d, d + 1 + int(landed[0]) + 1)
    forward, up = axes(pf.rot[arc])
    speed = float(np.max(np.linalg.norm(pf.vel[arc], axis=1)))
    hspeed = np.linalg.norm(pf.vel[arc, :2], axis=1)
    moving = hspeed >= 200.0
    align = np.sum(_unit_xy(forward) * _unit_xy(pf.vel[arc]), axis=1)
    min_align = float(np.min(align[moving])) if np.any(moving) else 1.0
    nose = float(np.degrees(np.arccos(np.clip(np.min(forward @ forward[0]), -1, 1))))
    rise = float(np.degrees(np.max(np.arcsin(np.clip(forward[:, 2], -1, 1)))
                            - np.arcsin(np.clip(forward[0, 2], -1, 1))))
    roll = float(np.degrees(np.arccos(np.clip(np.min(up @ up[0]), -1, 1))))
    if speed < SPEEDFLIP_MIN_SPEED or min_align < SPEEDFLIP_ALIGN or \
            nose > SPEEDFLIP_MAX_NOSE_DEG or roll < SPEEDFLIP_MIN_ROLL_DEG or \
            rise > SPEEDFLIP_MAX_RISE_DEG:
        return None
    return 0.4 + 0.2 * score(min_align, SPEEDFLIP_ALIGN, 0.95) + \
        0.2 * score(roll, SPEEDFLIP_MIN_ROLL_DEG, 170.0) + 0.2 * score(speed, 1600.0, 2200.0)


def side_impulse(ctx: Context, i: int, d: int) -> float:
    """Sideways push of the dodge at row ``d`` (uu/s), the game's speed scaling undone.

    The velocity change across the dodge's row, on the car's side axis at the
    dodge, divided by 1 + 0.9 * speed / 2300. A 45-degree diagonal pushes
    about 354 uu/s, a pure side flip 500. On the speed-flip drill every speed
    flip pushes 125-352 uu/s; on the confounders clip most flips 390-500.
    """
    pf = ctx.frames.players[i]
    assert pf.rot is not None
    a, b = max(d - 1, 0), min(d + 1, ctx.frames.n - 1)
    heading = _unit_xy(axes(pf.rot[d])[0])
    side = np.array([-heading[1], heading[0]])
    speed = float(np.linalg.norm(pf.vel[a, :2]))
    return abs(float((pf.vel[b, :2] - pf.vel[a, :2]) @ side)) / (1 + 0.9 * min(
        speed / field.MAX_CAR_SPEED, 1.0))


def half_flip(ctx: Context, i: int, d: int) -> float | None:
    """Confidence that the dodge at row ``d`` is a half-flip, else None.

    The engine's rule, over the 0.65 s after a dodge below 130 uu: the nose
    turns round (its heading reverses by cosine 0.55 or more), pitches (|nose
    z| reaches 0.22: a flip, not a turn on the wheels) and points along the
    car's travel (cosine 0.6). We read that last alignment only once the nose
    has turned round (the engine's best alignment may come from the first
    row, before the flip), and score as the engine does: how backwards the
    car was going at the dodge, the alignment, the reversal, the pitch and
    the speed; 0.55 or more counts.
    """
    pf = ctx.frames.players[i]
    if pf.rot is None or pf.pos[d, 2] > HALF_FLIP_MAX_Z:
        return None
    end = rows_until(ctx, d, HALF_FLIP_S) + 1
    forward, _ = axes(pf.rot[d:end])
    heading = _unit_xy(forward)
    travel = _unit_xy(pf.vel[d:end])
    reversal = -(heading @ heading[0])
    turned = reversal >= HALF_FLIP_REVERSAL
    pitch = float(np.max(np.abs(forward[:, 2])))
    if not np.any(turned) or pitch < HALF_FLIP_PITCH:
        return None
    align = float(np.max(np.sum(heading * travel, axis=1)[turned]))
    if align < HALF_FLIP_ALIGN:
        return None
    backwards = -float(heading[0] @ travel[0])
    speed = np.linalg.norm(pf.vel[[d, end - 1], :2], axis=1)
    speed_score = max(score(float(speed[1]), 900.0, 1800.0),
                      0.7 * score(float(speed[1] - speed[0]), 100.0, 700.0))
    confidence = (0.25 * score(backwards, 0.55, 0.95) + 0.30 * score(align, HALF_FLIP_ALIGN, 0.98)
                  + 0.25 * score(float(np.max(reversal)), HALF_FLIP_REVERSAL, 0.98)
                  + 0.10 * score(pitch, HALF_FLIP_PITCH, 0.85) + 0.10 * speed_score)
    return confidence if confidence >= HALF_FLIP_MIN_CONFIDENCE else None


def wavedash(ctx: Context, i: int, d: int) -> float | None:
    """Confidence that the dodge at row ``d`` is a wavedash, else None.

    The engine's rule: a dodge between 28 and 320 uu up that lands on the
    floor within 0.35 s with the roof up (uprightness 0.15+), scored on how
    soon it lands, how low it started, the speed it gained and how level it
    landed; 0.45 or more counts.
    """
    pf, t = ctx.frames.players[i], ctx.frames.time
    z = pf.pos[:, 2]
    if pf.rot is None or not WAVEDASH_MIN_Z <= z[d] <= WAVEDASH_MAX_Z:
        return None
    end = rows_until(ctx, d, WAVEDASH_LAND_S)
    landed = np.flatnonzero(z[d + 1:end + 1] <= GROUND_Z)
    if not len(landed):
        return None
    land = d + 1 + int(landed[0])
    if t[land] - t[d] > WAVEDASH_LAND_S:
        return None
    upright = float(axes(pf.rot[land])[1][2])
    if upright < WAVEDASH_UPRIGHT:
        return None
    hspeed = np.linalg.norm(pf.vel[[d, land], :2], axis=1)
    gain = float(hspeed[1] - hspeed[0])
    confidence = (0.35 * (1 - score(float(t[land] - t[d]), 0.08, WAVEDASH_LAND_S))
                  + 0.25 * (1 - score(float(z[d]), WAVEDASH_MIN_Z, 220.0))
                  + 0.25 * max(score(gain, 80.0, 550.0), 0.8 * score(float(hspeed[1]), 900.0,
                                                                       1800.0))
                  + 0.15 * score(upright, 0.3, 0.95))
    return confidence if confidence >= WAVEDASH_MIN_CONFIDENCE else None


def dodge_mechanics(ctx: Context, i: int) -> list[dict[str, Any]]:
    """Player ``i``'s speed flips, half-flips and wavedashes, one kind per dodge."""
    out = []
    for row in dodge_starts(ctx, i):
        d = int(row)
        for kind, rule in (("speed_flip", speed_flip), ("wavedash", wavedash),
                           ("half_flip", half_flip)):
            confidence = rule(ctx, i, d)
            if confidence is not None:
                out.append(event(ctx, d, i, kind, confidence))
                break
    return out
