"""Mechanics rules on hand-made frames (one car, 30 Hz), and the corpus clips.

Orientation is written as the engine's three angles (a, b, c): the car's axes
are the columns of Rx(a) @ Ry(b) @ Rz(c), so (0, 0, yaw) is a car on its wheels
facing ``yaw``, ``a`` rolls it about its nose and a negative ``b`` lifts the nose.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from rlcoach.analysis.coaching import mechanics
from rlcoach.analysis.coaching.mechanics import dodges, touches
from rlcoach.analysis.context import Context
from rlcoach.replay.types import Frames, PlayerFrames, PlayerInfo, ReplayData

N = 60
HZ = 30.0


def _ctx(pos: np.ndarray, vel: np.ndarray, rot: np.ndarray, dodge_rows: list[int] = (),
         ball: np.ndarray | None = None, ball_vel: np.ndarray | None = None,
         touch_rows: list[int] = (), source: str = "frames",
         others_near: bool = False) -> Context:
    n = len(pos)
    flags = np.zeros(n, dtype=bool)
    dodge, touch = flags.copy(), flags.copy()
    dodge[list(dodge_rows)] = True
    touch[list(touch_rows)] = True

    def car(p: np.ndarray, d: np.ndarray, tch: np.ndarray) -> PlayerFrames:
        return PlayerFrames(pos=p, vel=vel.copy(), boost=np.zeros(n), present=np.ones(n, bool),
                            demolished_by=np.full(n, -1, dtype=np.int16), touch=tch,
                            pickup=flags.copy(), dodge=d, powerslide=flags.copy(), rot=rot)

    cars = [car(pos, dodge, touch)]
    infos = [PlayerInfo("a", 0, None, None)]
    if others_near:
        cars.append(car(pos + np.array([150.0, 0.0, 0.0]), flags.copy(), flags.copy()))
        infos.append(PlayerInfo("b", 1, None, None))
    if ball is None:
        ball = np.tile([3000.0, 3000.0, 93.0], (n, 1))
    frames = Frames(time=np.arange(n) / HZ, ball_pos=ball,
                    ball_vel=np.zeros((n, 3)) if ball_vel is None else ball_vel,
                    state=np.zeros(n, dtype=np.int16), players=cars)
    return Context(ReplayData(header={}, players=infos, frames=frames, sample_rate=HZ,
                              source=source))


def _flight(z_air: float, rows_air: range) -> np.ndarray:
    """A car at x = 0, y = -2000, on the floor (z 17) except over ``rows_air``."""
    pos = np.tile([0.0, -2000.0, 17.0], (N, 1))
    pos[list(rows_air), 2] = z_air
    return pos


def test_dodge_starts_undo_the_engines_event_lag() -> None:
    pos, vel, rot = _flight(17.0, range(0)), np.zeros((N, 3)), np.zeros((N, 3))
    # the engine pushes its dodge event 0.45 s (14 rows at 30 Hz) after the dodge
    assert list(dodges.dodge_starts(_ctx(pos, vel, rot, [30], source="ndarray"), 0)) == [16]
    # the per-frame fallback flags the dodge-active edge itself
    assert list(dodges.dodge_starts(_ctx(pos, vel, rot, [30], source="frames"), 0)) == [30]


def _speed_flip(speed: float = 1800.0, side_push: float = 100.0, roll_deg: float = 180.0,
                nose_rise_deg: float = 0.0, land_row: int = 40) -> Context:
    """Jump at row 8, dodge at row 12, roll about the nose until ``land_row``."""
    pos = _flight(60.0, range(8, land_row))
    vel = np.zeros((N, 3))
    vel[:, 0] = speed
    vel[13:, 1] = side_push * 1.8  # the game scales the side push up with speed
    rot = np.zeros((N, 3))
    for r in range(12, land_row):
        k = np.sin(np.pi * (r - 12) / (land_row - 12))
        # the nose lifts in the world while the car rolls about its own nose
        rot[r] = _angles(_ry(-np.radians(nose_rise_deg) * k) @ _rx(np.radians(roll_deg) * k))
    return _ctx(pos, vel, rot, [12])


def _rx(a: float) -> np.ndarray:
    return np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])


def _ry(b: float) -> np.ndarray:
    return np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])


def _angles(m: np.ndarray) -> np.ndarray:
    """The engine's (a, b, c) for a rotation matrix m = Rx(a) @ Ry(b) @ Rz(c)."""
    return np.array([np.arctan2(-m[1, 2], m[2, 2]), np.arcsin(np.clip(m[0, 2], -1, 1)),
                     np.arctan2(-m[0, 1], m[0, 0])])


@pytest.mark.parametrize(
    ("kwargs", "found"),
    [
        ({}, True),  # a fast forward-diagonal dodge, nose on its line, roof rolled over
        ({"speed": 1200.0}, False),  # never reaches 1600 uu/s
        ({"roll_deg": 60.0}, False),  # the roof barely rolls: a flip, not a cancelled one
        ({"side_push": 480.0}, False),  # pushed sideways like a side flip
        ({"nose_rise_deg": 40.0}, False),  # the nose lifts: not a cancelled forward flip
        ({"land_row": 59}, True),  # lands 1.6 s after the dodge: still a ground move
    ],
)
def test_speed_flip_rule(kwargs: dict, found: bool) -> None:
    ctx = _speed_flip(**kwargs)
    assert (dodges.speed_flip(ctx, 0, 12) is not None) is found


def test_speed_flip_needs_a_dodge_from_the_floor() -> None:
    ctx = _speed_flip()
    ctx.frames.players[0].pos[:12, 2] = 60.0  # in the air since the first row
    assert dodges.speed_flip(ctx, 0, 12) is None


def _half_flip(turn: bool = True, pitch: bool = True, drive_back: float = -600.0) -> Context:
    """A car facing +x driving backwards; dodge at row 10: it backflips (nose up,
    then over to face -x) and rolls upright, driving forwards along -x."""
    pos = _flight(60.0, range(10, 30))
    vel = np.zeros((N, 3))
    vel[:, 0] = drive_back
    rot = np.zeros((N, 3))
    flip = np.arange(10, 20)
    if pitch:
        rot[flip, 1] = -np.pi * (flip - 10 + 1) / 10 * (1.0 if turn else 0.3)
    if turn:
        rot[20:, 1] = -np.pi
        rot[20:, 0] = np.minimum(np.pi, np.pi * (np.arange(20, N) - 19) / 6)
    elif not pitch:
        rot[10:, 2] = np.pi * np.clip((np.arange(10, N) - 9) / 10, 0, 1)  # turns on its wheels
    return _ctx(pos, vel, rot, [10])


@pytest.mark.parametrize(
    ("kwargs", "found"),
    [
        ({}, True),
        ({"drive_back": -20.0}, True),  # from a standstill, as in the drill
        ({"turn": False}, False),  # a backflip that never turns round
        ({"turn": False, "pitch": False}, False),  # a turn on the wheels, no flip
    ],
)
def test_half_flip_rule(kwargs: dict, found: bool) -> None:
    assert (dodges.half_flip(_half_flip(**kwargs), 0, 10) is not None) is found


@pytest.mark.parametrize(
    ("land_row", "upright", "found"),
    [(13, True, True),  # dodge at 40 uu, wheels down 0.1 s later
     (25, True, False),  # lands 0.5 s later: a flip, not a wavedash
     (13, False, False)],  # lands on its roof
)
def test_wavedash_rule(land_row: int, upright: bool, found: bool) -> None:
    pos = np.tile([0.0, -2000.0, 17.0], (N, 1))
    pos[8:land_row, 2] = 40.0
    vel = np.zeros((N, 3))
    vel[:, 0] = 1000.0
    vel[10:, 0] = 1500.0
    rot = np.zeros((N, 3))
    if not upright:
        rot[land_row:, 0] = np.pi
    ctx = _ctx(pos, vel, rot, [10])
    assert (dodges.wavedash(ctx, 0, 10) is not None) is found


def _flick(on_car: bool = True, kick: float = 900.0, carried: bool = True) -> Context:
    """The ball rides on the roof until a dodge at row 20, touched at row 22."""
    pos = np.tile([0.0, -2000.0, 17.0], (N, 1))
    pos[:, 0] = np.arange(N) * 1000.0 / HZ
    vel = np.zeros((N, 3))
    vel[:, 0] = 1000.0
    ball = pos + np.array([0.0, 0.0, 130.0 if on_car else 400.0])
    ball_vel = vel.copy()
    if not carried:
        ball_vel[:, 0] = 0.0
    ball_vel[22:, 0] += kick * 0.6
    ball_vel[22:, 2] = kick * 0.8 - 650.0 * (np.arange(22, N) - 21) / HZ
    return _ctx(pos, vel, np.zeros((N, 3)), [20], ball, ball_vel, [22])


@pytest.mark.parametrize(
    ("kwargs", "found"),
    [({}, True),
     ({"on_car": False}, False),  # the ball was not on the car
     ({"carried": False}, False),  # on the roof but never moving with the car
     ({"kick": 200.0}, False)],  # the dodge barely moves the ball
)
def test_flick_rule(kwargs: dict, found: bool) -> None:
    ctx = _flick(**kwargs)
    starts = dodges.dodge_starts(ctx, 0)
    assert (touches.flick(ctx, 0, 22, starts) is not None) is found


@pytest.mark.parametrize(
    ("pos", "air"),
    [((0, 0, 17), False), ((0, 0, 600), True), ((4050, 0, 600), False),  # on the side wall
     ((0, 5050, 600), False), ((0, 0, 2000), False)],  # back wall, ceiling
)
def test_airborne_means_off_every_surface(pos, air: bool) -> None:
    assert bool(mechanics.airborne(np.array([pos], dtype=float))[0]) is air


def test_mechanic_events_are_well_formed(corpus_reports) -> None:
    for r in corpus_reports.values():
        keys = {p["key"] for p in r["players"]}
        for e in r["coaching"]["mechanics"]:
            assert e["player"] in keys and 0.0 <= e["confidence"] <= 1.0
            assert e["kind"] in mechanics.KINDS


def _double_tap(board_y: float = 4950.0, second_row: int = 45,
                after_vy: float = 1500.0) -> Context:
    """Blue touches at row 0 (the ball at y 3000, z 900, flying at the orange
    backboard), the ball comes back off it, blue touches again in the air."""
    n = 90
    ball = np.zeros((n, 3))
    ball_vel = np.zeros((n, 3))
    ball[:, 2] = 900.0
    y = 3000.0 + 2000.0 * np.arange(n) / HZ
    bounce = int(np.argmax(y >= board_y)) if y.max() >= board_y else n
    ball[:, 1] = np.where(np.arange(n) < bounce, y, board_y - 800.0 * (np.arange(n) - bounce) / HZ)
    ball_vel[:, 1] = np.where(np.arange(n) < bounce, 2000.0, -800.0)
    ball_vel[second_row:, 1] = after_vy
    ball_vel[second_row:, 2] = -200.0
    pos = np.tile([0.0, 3500.0, 700.0], (n, 1))
    vel = np.zeros((n, 3))
    return _ctx(pos, vel, np.zeros((n, 3)), [], ball, ball_vel, [0, second_row])


@pytest.mark.parametrize(
    ("kwargs", "found"),
    [({}, True),
     ({"board_y": 6000.0}, False),  # the ball never reaches the backboard
     ({"second_row": 89}, False),  # 2 s after the bounce: a new play, not a follow-up
     ({"after_vy": -1500.0}, False)],  # the second touch sends it away from the goal
)
def test_double_tap_rule(kwargs: dict, found: bool) -> None:
    ctx = _double_tap(**kwargs)
    b = kwargs.get("second_row", 45)
    assert (touches.double_tap(ctx, 0, 0, b) is not None) is found


def _kinds(ctx: Context, kind: str) -> list[dict]:
    return [e for e in touches.touch_mechanics(ctx) if e["kind"] == kind]


@pytest.mark.parametrize(
    ("touch_rows", "ball_gap", "found"),
    [([0, 20, 40], 150.0, 1),  # take-off from the floor, then two touches in the air
     ([0, 40], 150.0, 0),  # one touch in the air: an aerial, not a dribble
     ([0, 20, 40], 800.0, 0)],  # the ball not kept near the car
)
def test_air_dribble_rule(touch_rows: list[int], ball_gap: float, found: int) -> None:
    pos = np.tile([0.0, 0.0, 17.0], (N, 1))
    pos[3:, 2] = 17.0 + 30.0 * np.arange(N - 3)
    ball = pos + np.array([0.0, 0.0, 120.0])
    ball[3:, 2] += ball_gap - 120.0
    ctx = _ctx(pos, np.zeros((N, 3)), np.zeros((N, 3)), [], ball, None, touch_rows)
    events = _kinds(ctx, "air_dribble")
    assert len(events) == found
    assert all(e["time"] == 0.0 for e in events)  # timed at the take-off touch


@pytest.mark.parametrize(
    ("dodge_rows", "resets"),
    [([30], 1),  # two touches on the ball under the car, one refreshed flip used later
     ([15, 30], 2)],  # the flip used between the touches: two resets
)
def test_flip_reset_counts_one_per_refreshed_flip(dodge_rows: list[int], resets: int) -> None:
    pos = np.tile([0.0, 0.0, 1000.0], (N, 1))
    ball = pos - np.array([0.0, 0.0, 120.0])  # under the car's floor
    ctx = _ctx(pos, np.zeros((N, 3)), np.zeros((N, 3)), dodge_rows, ball, None, [10, 20])
    assert len(_kinds(ctx, "flip_reset")) == resets


def _clips() -> list:
    """The benchmark's clip table (file name prefix, mechanic, the clip holds it)."""
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_coaching_agreement.py"
    spec = importlib.util.spec_from_file_location("bench_coaching_agreement", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return [pytest.param(*clip, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[clip[0]]))
            if clip[0] in KNOWN_MISSES else clip for clip in bench.CLIPS]


KNOWN_MISSES = {"panzinii-double-flip-reset": "player churn: the fallback parse has no rotations"}


@pytest.mark.parametrize(("prefix", "kind", "holds"), _clips())
def test_mechanic_clips(corpus_reports, prefix: str, kind: str, holds: bool) -> None:
    """Found where the clip holds the mechanic; not found in the traps."""
    stem = next(s for s in corpus_reports if s.startswith(prefix))
    found = [e for e in corpus_reports[stem]["coaching"]["mechanics"] if e["kind"] == kind]
    assert bool(found) is holds, f"{stem}: {len(found)} {kind}"


@pytest.mark.parametrize(
    ("touch_rows", "shots"),
    [([30], 1),  # off the ceiling at row 10, touched 0.67 s later
     ([52], 0),  # 1.4 s later: a touch after a fall, not a ceiling shot
     ([30, 36], 1)],  # two touches on the same way down: one shot
)
def test_ceiling_shot_rule(touch_rows: list[int], shots: int) -> None:
    pos = np.tile([0.0, 0.0, 1950.0], (N, 1))
    pos[11:, 2] = 1950.0 - 40.0 * np.arange(1, N - 10)  # drops from the ceiling
    pos[:, 2] = np.maximum(pos[:, 2], 300.0)
    ball = pos + np.array([150.0, 0.0, 0.0])
    ctx = _ctx(pos, np.zeros((N, 3)), np.zeros((N, 3)), [], ball, None, touch_rows)
    assert len(_kinds(ctx, "ceiling_shot")) == shots


def test_one_flick_per_dodge() -> None:
    ctx = _flick()
    ctx.frames.players[0].touch[24] = True  # the ball touched again just after the flick
    assert len(_kinds(ctx, "flick")) == 1
