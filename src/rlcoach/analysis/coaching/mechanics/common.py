"""Helpers every mechanics rule shares: the event record, scores, airborne rows."""

from __future__ import annotations

from typing import Any

import numpy as np

from rlcoach.analysis import field
from rlcoach.analysis.coaching.base import at_time, player_ref
from rlcoach.analysis.context import Context

AIR_Z = 250.0
WALL_GAP = 120.0
CEILING_Z = field.CEILING_Z - 120.0


def event(ctx: Context, row: int, i: int, kind: str, confidence: float) -> dict[str, Any]:
    return {**at_time(ctx, row), **player_ref(ctx, i), "kind": kind,
            "confidence": round(float(np.clip(confidence, 0.0, 1.0)), 2)}


def score(value: float, low: float, high: float) -> float:
    """0 at ``low`` or below, 1 at ``high`` or above, linear between (the engine's scores)."""
    return float(np.clip((value - low) / (high - low), 0.0, 1.0))


def airborne(pos: np.ndarray) -> np.ndarray:
    """Rows where the car is off every surface (floor, walls, ceiling)."""
    x, y, z = np.abs(pos[:, 0]), np.abs(pos[:, 1]), pos[:, 2]
    return (z > AIR_Z) & (x < field.SIDE_WALL_X - WALL_GAP) & (
        y < field.BACK_WALL_Y - WALL_GAP) & (z < CEILING_Z)
