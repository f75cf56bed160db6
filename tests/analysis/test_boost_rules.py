"""Table-driven checks of the boost rules on hand-made single-player frames."""

from __future__ import annotations

import numpy as np
import pytest

from rlcoach.analysis import boost
from rlcoach.analysis.context import Context
from rlcoach.replay.types import Frames, PlayerFrames, PlayerInfo, ReplayData

N = 90  # 3 s at 30 Hz
RAW = 100.0 / 255.0  # one replicated unit on the 0-100 scale


def _replay(level_raw: list[int], speed: float, z: float) -> ReplayData:
    """One car driving along +x at ``speed`` and height ``z``; its tank level is
    given in whole replicated units per row (so every row is an update)."""
    pos = np.zeros((N, 3))
    pos[:, 0] = np.arange(N) * speed / 30.0
    pos[:, 2] = z
    vel = np.zeros((N, 3))
    vel[:, 0] = speed
    none = np.zeros(N, dtype=bool)
    player = PlayerFrames(
        pos=pos, vel=vel, boost=np.asarray(level_raw, dtype=float) * RAW,
        present=np.ones(N, dtype=bool), demolished_by=np.full(N, -1, dtype=np.int16),
        touch=none, pickup=none.copy(), dodge=none, powerslide=none,
    )
    frames = Frames(time=np.arange(N) / 30.0, ball_pos=np.zeros((N, 3)),
                    ball_vel=np.zeros((N, 3)), state=np.zeros(N, dtype=np.int16),
                    players=[player])
    return ReplayData(header={}, players=[PlayerInfo("solo", 0, None, None)], frames=frames,
                      sample_rate=30.0, source="ndarray")


def _steps(*segments: tuple[int, int]) -> list[int]:
    """Rows of constant raw level: ``(rows, level)`` pairs."""
    out: list[int] = []
    for rows, level in segments:
        out += [level] * rows
    assert len(out) == N
    return out


@pytest.mark.parametrize(
    ("speed", "z", "expected_raw"),
    [
        (2300.0, 17.0, 51),  # supersonic on the floor: the drop counts
        (2300.0, 300.0, 0),  # supersonic in the air: it does not
        (1500.0, 17.0, 0),  # on the floor below supersonic: it does not
    ],
)
def test_boost_used_while_supersonic_is_drops_on_the_floor(speed, z, expected_raw) -> None:
    ctx = Context(_replay(_steps((30, 255), (60, 204)), speed, z))
    held = boost.replicated_boost(ctx.frames.players[0].boost)
    assert boost._used_while_supersonic(ctx, 0, held) == pytest.approx(expected_raw * RAW)


@pytest.mark.parametrize(
    ("segments", "collected", "expected"),
    [
        # 100 -> 60: used 40 % (102 raw units) and nothing collected
        (((30, 255), (60, 153)), 0.0, 102 * RAW),
        # 128 -> 158 after a 12 % pad -> 102: used 12 % plus the 26 units the tank lost
        (((30, 128), (30, 158), (30, 102)), 12.0, 12.0 + 26 * RAW),
        # a full tank that never moves: nothing used
        (((90, 255),), 0.0, 0.0),
    ],
)
def test_boost_used_is_collected_less_what_the_tank_kept(segments, collected, expected) -> None:
    ctx = Context(_replay(_steps(*segments), 1000.0, 17.0))
    held = boost.replicated_boost(ctx.frames.players[0].boost)
    assert boost._boost_used(ctx, 0, held, collected) == pytest.approx(expected)
