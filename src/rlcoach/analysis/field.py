"""Standard soccar arena geometry (unreal units) and boost pad layout."""

from __future__ import annotations

import numpy as np

BACK_WALL_Y = 5120.0
SIDE_WALL_X = 4096.0
CEILING_Z = 2044.0
CROSSBAR_Z = 642.775
THIRD_Y = 2 * BACK_WALL_Y / 6  # equal thirds of the pitch: boundaries at +-1706.7

SUPERSONIC_SPEED = 2200.0
# Fastest a car goes on throttle alone: cars at full throttle cluster at
# 1400-1410 uu/s, so the cut must sit above the cluster. Measured on the 3 API
# reference replays: 1410 puts time_boost_speed within tolerance for 12/12
# players (6/12 at 1400) and time_slow_speed for 11/12.
BOOST_SPEED = 1410.0
MAX_CAR_SPEED = 2300.0

BIG_PAD_AMOUNT = 100.0
SMALL_PAD_AMOUNT = 12.0

BIG_PADS = np.array(
    [(-3584, 0), (3584, 0), (-3072, -4096), (3072, -4096), (-3072, 4096), (3072, 4096)],
    dtype=np.float64,
)
SMALL_PADS = np.array(
    [
        (0, -4240), (-1792, -4184), (1792, -4184), (-940, -3308), (940, -3308), (0, -2816),
        (-3584, -2484), (3584, -2484), (-1788, -2300), (1788, -2300), (-2048, -1036),
        (0, -1024), (2048, -1036), (-1024, 0), (1024, 0), (-2048, 1036), (0, 1024),
        (2048, 1036), (-1788, 2300), (1788, 2300), (-3584, 2484), (3584, 2484), (0, 2816),
        (-940, 3310), (940, 3308), (-1792, 4184), (1792, 4184), (0, 4240),
    ],
    dtype=np.float64,
)
ALL_PADS = np.vstack([BIG_PADS, SMALL_PADS])
PAD_IS_BIG = np.array([True] * len(BIG_PADS) + [False] * len(SMALL_PADS))


def attack_sign(team: int) -> float:
    """+1 when the team attacks towards +y (blue), -1 for orange."""
    return 1.0 if team == 0 else -1.0
