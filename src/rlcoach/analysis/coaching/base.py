"""Shared pieces of the coaching analyses: their result type and helpers.

Each analysis is a pure function ``(Context) -> Part``. A ``Part`` carries
the sections it adds to ``report["coaching"]`` and, per player, the values
of its metric group (keys declared in ``rlcoach.report.coaching_metrics``).
Events reference players by ``PlayerInfo.key`` (the report's player key)
and by name, and carry ``time`` (seconds since the recording started) and
``clock: None``, which the report's clock pass fills in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rlcoach.analysis.context import Context

F = NDArray[np.float64]
PlayerValues = dict[str, float | int | None]


@dataclass
class Part:
    sections: dict[str, Any] = field(default_factory=dict)
    # metric group -> one dict of metric values per player (report order)
    player_stats: dict[str, list[PlayerValues]] = field(default_factory=dict)


Analysis = Callable[[Context], Part]


def player_ref(ctx: Context, i: int | None) -> dict[str, str | None]:
    if i is None:
        return {"player": None, "name": None}
    p = ctx.replay.players[i]
    return {"player": p.key, "name": p.name}


def team_name(team: int | None) -> str | None:
    return ("blue", "orange")[team] if team in (0, 1) else None


def at_time(ctx: Context, row: int) -> dict[str, float | None]:
    return {"time": round(float(ctx.frames.time[row]), 2), "clock": None}


def rows_until(ctx: Context, row: int, seconds: float) -> int:
    """First row at least ``seconds`` after ``row`` (clamped to the end)."""
    t = ctx.frames.time
    return min(int(np.searchsorted(t, t[row] + seconds)), ctx.frames.n - 1)


def pct(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole else 0.0


def axes(rot: F) -> tuple[F, F]:
    """Unit forward and up vectors of a car from the engine's rotation angles.

    The engine writes three angles (r0, r1, r2); the car's axes are the
    columns of Rx(r0) @ Ry(r1) @ Rz(r2). Fitted on a 3v3 replay: forward
    matches the velocity direction with mean cosine 0.99 on the floor and
    0.97 on the side walls, and up points away from the wall (0.97).
    """
    a, b, c = rot[..., 0], rot[..., 1], rot[..., 2]
    ca, sa, cb, sb, cc, sc = np.cos(a), np.sin(a), np.cos(b), np.sin(b), np.cos(c), np.sin(c)
    forward = np.stack([cb * cc, ca * sc + sa * sb * cc, sa * sc - ca * sb * cc], axis=-1)
    up = np.stack([sb, -sa * cb, ca * cb], axis=-1)
    return forward, up
