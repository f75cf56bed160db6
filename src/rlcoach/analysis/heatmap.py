"""Where a player spent their time: a coarse grid over the pitch.

Shares of the player's tracked time (they sum to 1), on fixed field
coordinates: rows run along the pitch's length from the blue goal (-y) to
the orange goal (+y), columns across it from -x to +x. Coarse on purpose:
it is for a terminal heatmap and trends, not for replaying a match.
"""

from __future__ import annotations

import numpy as np

from rlcoach.analysis import field
from rlcoach.analysis.context import Context

Y_BINS = 10
X_BINS = 8


def heatmap(ctx: Context, i: int) -> dict[str, object]:
    pos = ctx.frames.players[i].pos
    weights = ctx.dt * ctx.tracked[i]
    total = float(weights.sum())
    cells, _, _ = np.histogram2d(
        np.clip(pos[:, 1], -field.BACK_WALL_Y, field.BACK_WALL_Y - 1e-6),
        np.clip(pos[:, 0], -field.SIDE_WALL_X, field.SIDE_WALL_X - 1e-6),
        bins=(Y_BINS, X_BINS),
        range=((-field.BACK_WALL_Y, field.BACK_WALL_Y), (-field.SIDE_WALL_X, field.SIDE_WALL_X)),
        weights=weights,
    )
    shares = cells / total if total > 0 else cells
    return {
        "y_bins": Y_BINS,
        "x_bins": X_BINS,
        "axes": ["y", "x"],
        "cells": [[round(float(v), 4) for v in row] for row in shares],
    }
