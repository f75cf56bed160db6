"""Mechanics rules on hand-made single-car frames, and the corpus clips."""

from __future__ import annotations

import numpy as np
import pytest

from rlcoach.analysis.coaching import mechanics
from rlcoach.analysis.context import Context
from rlcoach.replay.types import Frames, PlayerFrames, PlayerInfo, ReplayData

N = 60


def _ctx(z: list[float], speed: list[float], others_near: bool = False) -> Context:
    pos = np.zeros((N, 3))
    pos[:, 2] = z
    pos[:, 1] = -2000.0
    vel = np.zeros((N, 3))
    vel[:, 0] = speed
    none = np.zeros(N, dtype=bool)

    def car(p: np.ndarray) -> PlayerFrames:
        return PlayerFrames(pos=p, vel=vel.copy(), boost=np.zeros(N), present=np.ones(N, bool),
                            demolished_by=np.full(N, -1, dtype=np.int16), touch=none,
                            pickup=none.copy(), dodge=none, powerslide=none,
                            rot=np.zeros((N, 3)))

    cars = [car(pos)]
    infos = [PlayerInfo("a", 0, None, None)]
    if others_near:
        cars.append(car(pos + np.array([150.0, 0.0, 0.0])))
        infos.append(PlayerInfo("b", 1, None, None))
    ball = np.tile([3000.0, 3000.0, 93.0], (N, 1))
    frames = Frames(time=np.arange(N) / 30.0, ball_pos=ball, ball_vel=np.zeros((N, 3)),
                    state=np.zeros(N, dtype=np.int16), players=cars)
    return Context(ReplayData(header={}, players=infos, frames=frames, sample_rate=30.0,
                              source="ndarray"))


FALL = [100.0] * 20 + [60.0, 45.0] + [17.0] * 38


@pytest.mark.parametrize(
    ("z", "jump", "near", "found"),
    [
        (FALL, 500.0, False, True),  # comes down and gains 500 uu/s at once
        (FALL, 100.0, False, False),  # lands without the dodge's impulse
        ([17.0] * N, 500.0, False, False),  # was never off the floor: a boost pad? a bump?
        (FALL, 500.0, True, False),  # another car right there: a bump
    ],
)
def test_wavedash_rule(z, jump: float, near: bool, found: bool) -> None:
    speed = [1000.0] * 21 + [1000.0 + jump] * 39
    ctx = _ctx(z, speed, near)
    assert bool(mechanics.wavedashes(ctx, 0)) is found


@pytest.mark.parametrize(
    ("pos", "air"),
    [((0, 0, 17), False), ((0, 0, 600), True), ((4050, 0, 600), False),  # on the side wall
     ((0, 5050, 600), False), ((0, 0, 2000), False)],  # back wall, ceiling
)
def test_airborne_means_off_every_surface(pos, air: bool) -> None:
    assert bool(mechanics.airborne(np.array([pos], dtype=float))[0]) is air


def test_rolled_needs_a_real_roll() -> None:
    rolls = np.zeros((10, 3))
    rolls[:, 0] = np.linspace(0, np.pi / 2, 10)  # a car facing +x rolling 90 degrees
    assert mechanics._rolled(rolls)
    rolls[:, 0] = np.linspace(0, 0.5, 10)  # under 30 degrees
    assert not mechanics._rolled(rolls)


def test_mechanic_events_are_well_formed(corpus_reports) -> None:
    for r in corpus_reports.values():
        keys = {p["key"] for p in r["players"]}
        for e in r["coaching"]["mechanics"]:
            assert e["player"] in keys and 0.0 <= e["confidence"] <= 1.0
            assert e["kind"] in mechanics.KINDS
