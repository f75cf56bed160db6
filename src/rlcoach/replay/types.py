"""rlcoach's own view of a parsed replay: plain dataclasses over numpy.

Everything outside ``rlcoach.replay`` sees these types, never the engine's.
Frames are columnar: one array per quantity, one row per sample. The primary
path samples at 30 Hz, the replay's own network rate, so short events
(touches, pad pickups, powerslides) land on their own row and per-row time
weights stay close to the engine's truth; the fallback path (replays whose
player set changes mid-match) keeps the network frames as they are. Either
way, analysis weights each row by ``dt`` and never assumes a fixed rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

F = NDArray[np.float64]
B = NDArray[np.bool_]

# ReplicatedStateName codes seen in the game state column (ndarray path).
STATE_COUNTDOWN = 48
STATE_ACTIVE = 52
STATE_GOAL_SCORED = 86


@dataclass
class PlayerInfo:
    """Who a player is, from the header and the engine's player list."""

    name: str
    team: int  # 0 blue, 1 orange
    platform: str | None  # steam, epic, ps4, xbox, switch
    platform_id: str | None
    is_bot: bool = False
    car_id: int | None = None
    car_name: str | None = None
    camera: dict[str, float] = field(default_factory=dict)
    scoreboard: dict[str, int] | None = None  # header PlayerStats, None if absent
    key_suffix: str = ""  # "#2", "#3": set by unique_keys() for a repeated identity

    @property
    def base_key(self) -> str:
        if self.platform and self.platform_id:
            return f"{self.platform}:{self.platform_id}"
        return f"name:{self.name}"

    @property
    def key(self) -> str:
        """Unique within one game (see ``unique_keys``)."""
        return self.base_key + self.key_suffix


def unique_keys(players: list[PlayerInfo]) -> None:
    """Make every player's key unique within the game, deterministically.

    Bots and guests have no platform id, so two "Bot" or two guests of one
    account would share ``name:...``; the library's (game, key) is UNIQUE and
    events refer to players by key. The first keeps the plain key, later ones
    get ``#2``, ``#3`` ... in the engine's player order.
    """
    taken: set[str] = set()
    for player in players:
        player.key_suffix = ""
        n = 1
        while player.key in taken:
            n += 1
            player.key_suffix = f"#{n}"
        taken.add(player.key)


# ``PlayerFrames.demolished_by`` while dead with no known attacker: fits the
# int16 column whatever the frame count (a frame-count sentinel overflowed
# past 32,767 frames) and is never a player index.
UNKNOWN_ATTACKER = int(np.iinfo(np.int16).max)


@dataclass
class PlayerFrames:
    """Per-sample state of one player. ``present`` is False where untracked."""

    pos: F  # (n, 3) uu
    vel: F  # (n, 3) uu/s
    boost: F  # (n,) 0-100
    present: B
    demolished_by: NDArray[np.int16]  # attacker's player index while dead, else -1
    touch: B  # touched the ball on this row
    pickup: B  # picked up a boost pad on this row
    dodge: B
    powerslide: B  # powerslide held on this row
    # Orientation as the engine's three rotation angles (radians); the car's
    # axes are the columns of Rx(r0) @ Ry(r1) @ Rz(r2) (forward, left, up),
    # fitted on the corpus (see rlcoach.analysis.coaching.geometry). None on
    # the fallback path, which does not decode rotations.
    rot: F | None = None

    @property
    def demolished(self) -> B:
        """Rows where the car is dead (respawning after a demolition)."""
        return self.demolished_by >= 0


@dataclass
class Frames:
    time: F  # (n,) seconds since recording start
    ball_pos: F  # (n, 3)
    ball_vel: F  # (n, 3)
    state: NDArray[np.int16]  # ReplicatedStateName code, 0 when unknown
    players: list[PlayerFrames]
    # The in-game clock's whole seconds as replicated: counting down in
    # regulation, up in overtime, 0 throughout when the replay lacks it.
    seconds_remaining: F | None = None
    # The kickoff countdown number (3, 2, 1) while it shows, else 0.
    kickoff_countdown: F | None = None
    # Non-finite values (NaN, inf) the engine returned, zeroed on load.
    non_finite: int = 0

    @property
    def n(self) -> int:
        return int(self.time.shape[0])

    @property
    def dt(self) -> F:
        """Seconds each row stands for (the gap to the next row)."""
        if self.n < 2:
            return np.zeros(self.n)
        d = np.diff(self.time, append=self.time[-1])
        d[-1] = np.median(d[:-1])
        return np.clip(d, 0.0, 1.0)


@dataclass
class ReplayData:
    header: dict[str, Any]  # the replay header's properties, JSON-safe
    players: list[PlayerInfo]  # same order as ``frames.players``
    frames: Frames
    sample_rate: float | None  # None: native network frames (fallback path)
    source: str  # "ndarray" or "frames"
    game_type: dict[str, Any] = field(default_factory=dict)
    replay_version: str | None = None
    network_version: int | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)
    # Per player: (time, level 0-100) at each change of the replicated boost
    # level, from the raw network stream (``replay.boost_stream``); None when
    # not read (fallback path) or absent for that player.
    boost_changes: list[NDArray[np.float64] | None] | None = None

    def __post_init__(self) -> None:
        unique_keys(self.players)
