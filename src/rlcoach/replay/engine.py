"""The only module that imports the Rust engine (``subtr_actor``).

It turns a replay file into :class:`ReplayData`. The primary path is the
engine's ndarray API at 30 Hz with ``PlayerEvent:*`` indicator columns: it
is the cheapest (about 0.1 s per MB, under 50 MB of RAM) and linear in
replay length. The ndarray API refuses replays whose player set changes
mid-match (players joining or leaving, split-screen guests); for those we
fall back to the per-frame API, which is heavier (about 0.5 GB of RAM per MB
of replay) but handles churn. Both paths produce the same columnar arrays.
The ndarray path also reads the replicated boost changes from the engine's
raw frame parser (``boost_stream``): a second pass, about 0.3 GB per MB at
its peak, because the boost bands and boost used while supersonic need the
values the game sent, which the ndarray's simulated boost column does not
keep (docs/parity.md, rules 9-10).

Engine errors are bare ``Exception``s; we classify them by message into
rlcoach's error kinds. Callers run this in a worker process (see
``rlcoach.replay.workers``): the engine can abort the interpreter on
allocation failure and cannot be interrupted.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from rlcoach.errors import CorruptReplayError, InputError, ReplayError, UnsupportedReplayError
from rlcoach.replay import boost_stream
from rlcoach.replay import header as hdr
from rlcoach.replay.types import Frames, PlayerFrames, ReplayData

# The engine allocates one row per sample without bound (fps=1e5 ran past
# 4 GB), so the rate is clamped. 30 Hz is the replay's own network rate.
DEFAULT_SAMPLE_RATE = 30.0
MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 1.0, 120.0

# Global columns: ball rigid body (12), time, game state, the game clock's
# whole seconds (counting up in overtime) and the kickoff countdown number.
_GLOBAL_FEATURES = [
    "BallRigidBody",
    "CurrentTime",
    "ReplicatedStateName",
    "SecondsRemaining",
    "ReplicatedGameStateTimeRemaining",
]
_GLOBAL_COLS = 16
_PLAYER_FEATURES = [
    "PlayerRigidBody",
    "PlayerBoost",
    "PlayerDemolishedBy",
    "PlayerEvent:touch",
    "PlayerEvent:boost_pickup",
    "PlayerEvent:dodge",
    "PlayerEvent:powerslide",
]
_PLAYER_COLS = 12 + 1 + 1 + 4
_RAW_BOOST_MAX = 255.0

# Message prefixes of the engine's bare Exceptions, most specific first.
_UNSUPPORTED = ("NDArray player columns changed", "Unknown", "ActorId", "No game actor")
# The engine's ReplayProcessorError texts for replays whose actors it does not
# model (older or unusual game modes, e.g. "Couldn't find object id for
# Archetypes.Car.Car_Default"): the file is fine, this engine cannot read it.
_UNSUPPORTED_ANYWHERE = (
    "Couldn't find object id for",
    "actor for player",
    "There was no actor state for actor_id",
    "Ball actor not found",
    "Player team unknown",
    "Team object id not known",
    "No value found for derived key",
)
_CORRUPT = (
    "Could not decode replay",
    "Failed to parse",
    "Error decoding frame",
    "Too many frames",
    "Collector returned invalid target time",
    "Insufficient data",
)


def engine_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("subtr-actor-py")
    except PackageNotFoundError:  # pragma: no cover - broken install
        return "unknown"


def check_replay_path(path: Path) -> None:
    """Regular, readable files only: a FIFO would hang the engine forever."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path}: not a regular file")
    if st.st_size == 0:
        raise CorruptReplayError(f"{path.name}: empty file (0 bytes)")


def load_replay(path: Path, sample_rate: float = DEFAULT_SAMPLE_RATE) -> ReplayData:
    """Parse ``path`` into ReplayData, raising ReplayError subclasses."""
    import subtr_actor

    path = Path(path)
    check_replay_path(path)
    _check_crc(path)
    rate = float(np.clip(sample_rate, MIN_SAMPLE_RATE, MAX_SAMPLE_RATE))
    prelude = hdr.read_prelude(path)
    for _attempt in _ball_attempts():
        try:
            info, array = subtr_actor.get_ndarray_with_info_from_replay_filepath(
                str(path), _GLOBAL_FEATURES, _PLAYER_FEATURES, fps=rate, dtype="float32"
            )
        except Exception as exc:
            message = str(exc)
            if message.startswith("NDArray player columns changed"):
                return _load_from_frames(path, prelude)
            raise classify(path, exc) from None
        if _has_ball(np.asarray(array)[:, 0:3]):
            break
    meta = info["replay_meta"]
    players = hdr.players_from_meta(meta)
    frames = _frames_from_ndarray(array, len(players))
    check_frames(path, frames)
    data = ReplayData(
        header=hdr.header_dict(meta["all_headers"]),
        players=players,
        frames=frames,
        sample_rate=rate,
        source="ndarray",
        game_type=meta.get("game_type") or {},
        replay_version=prelude.version,
        network_version=prelude.network_version,
    )
    # The raw stream names a player as the frames do (a renamed account) or as
    # the scoreboard does (a bot the frames name by id): keep both.
    frame_names = [p.name for p in players]
    hdr.attach_scoreboards(data)
    data.boost_changes = _boost_changes(path, frame_names, data)
    return data


# The raw frame parser holds the whole network stream as Python objects:
# measured 270-310 MB of RSS per MB of replay (1.08 GB peak for the corpus's
# 3.5 MB private 3v3; engine notes: 269 MB/MB median, 1.0 GB max). Past this
# size the pass would approach the 3 GB default worker cap, so it is skipped
# and the report says so (quality ``boost-stream-skipped``).
RAW_STREAM_MAX_BYTES = 6 * 1024 * 1024
_FALLBACK = ("boost bands and boost used while supersonic come from the sampled level, "
             "less close to ballchasing's")


def _boost_changes(path: Path, frame_names: list[str],
                   data: ReplayData) -> list[Any] | None:
    """The replicated boost changes per player (see ``boost_stream``), matched
    on the player's name in the frames, else on the scoreboard's.

    A second pass over the file through the engine's raw frame parser: about
    0.5-1.3 s and ~300 MB of RAM per MB of replay at its peak. The boost bands
    need the values the game sent, which the ndarray's simulated column does
    not keep (docs/parity.md, rules 7-10). A file too big for the pass, a
    failure, or players the stream has no levels for (older formats replicate
    another property) leave None and a quality warning: those stats then fall
    back to the held level.
    """
    import subtr_actor

    size = path.stat().st_size
    if size > RAW_STREAM_MAX_BYTES:
        data.warnings.append(("boost-stream-skipped", (
            f"replay of {size / 2**20:.1f} MB is too big for the raw boost pass "
            f"(limit {RAW_STREAM_MAX_BYTES / 2**20:.0f} MB): {_FALLBACK}")))
        return None
    try:
        parsed = subtr_actor.parse_replay(path.read_bytes())
        final_names = [p.name for p in data.players]
        by_name = boost_stream.boost_changes(parsed, frame_names + final_names)
        n = len(frame_names)
        changes = [a if a is not None else b for a, b in zip(by_name[:n], by_name[n:],
                                                             strict=True)]
    except Exception as exc:  # the stats fall back; the replay itself parsed fine
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
        data.warnings.append(("boost-stream-skipped",
                              f"the raw boost pass failed ({reason}): {_FALLBACK}"))
        return None
    missing = [p.key for p, series in zip(data.players, changes, strict=True) if series is None]
    if missing:
        data.warnings.append(("boost-stream-skipped", (
            f"the raw boost stream has no replicated levels for {', '.join(missing)}: "
            f"for them {_FALLBACK}")))
    return changes


def load_players(path: Path) -> ReplayData:
    """The header and its named, scoreboard-matched players, without frames.

    Only the header is decoded (milliseconds), for identity and naming checks.
    """
    import subtr_actor

    path = Path(path)
    check_replay_path(path)
    try:
        meta = subtr_actor.get_replay_meta(str(path))["replay_meta"]
    except Exception as exc:
        raise classify(path, exc) from None
    empty = np.zeros((0, 3))
    data = ReplayData(
        header=hdr.header_dict(meta["all_headers"]), players=hdr.players_from_meta(meta),
        frames=Frames(time=np.zeros(0), ball_pos=empty, ball_vel=empty,
                      state=np.zeros(0, dtype=np.int16), players=[]),
        sample_rate=None, source="header", game_type=meta.get("game_type") or {})
    hdr.attach_scoreboards(data)
    return data


# Some replays (e.g. replays-wild/boxcars-24b099e-up_to_no_good) come back
# from the engine with no ball on about half the calls, in a fresh process
# or the same one: which actor is taken for the ball depends on the
# per-call hash seed (docs/robustness.md has the reproduction). Calls are
# independent, so we call again while the ball is missing. Measured: 22 of
# 40 calls ball-less, and every call with a ball gives identical arrays; six
# calls left a ~3% chance per analysis (a CI run saw it), sixteen leave
# ~0.007% (0.55^16). The CPU budget bounds what a replay that truly has no
# ball costs (it then says so: quality ``no-ball``).
BALL_ATTEMPTS = 16
BALL_RETRY_CPU_S = 12.0


def _ball_attempts() -> Iterator[int]:
    """Attempt numbers: up to BALL_ATTEMPTS while retries stay in their CPU budget."""
    start = time.process_time()
    for attempt in range(BALL_ATTEMPTS):
        if attempt and time.process_time() - start > BALL_RETRY_CPU_S:
            return
        yield attempt


# Fewer rows than this is no match to analyze (header-only files, network
# data cut off at the start): refused rather than reported as all zeros.
MIN_FRAMES = 2


def check_frames(path: Path, frames: Frames) -> None:
    """Refuse replays without frames; zero non-finite values the engine let through.

    A NaN position would make the car "present" everywhere and crash binning
    downstream; an infinite time would break every row's duration.
    """
    if frames.n < MIN_FRAMES:
        raise UnsupportedReplayError(
            f"{path.name}: no network frames ({frames.n}): the replay has only its header, "
            "nothing to analyze")
    if not np.isfinite(frames.time).all():  # carry the last good time forward
        frames.non_finite += int((~np.isfinite(frames.time)).sum())
        frames.time[:] = np.fmax.accumulate(np.where(np.isfinite(frames.time),
                                                     frames.time, np.nan))
        frames.time[~np.isfinite(frames.time)] = 0.0
    arrays = [frames.ball_pos, frames.ball_vel]
    for pf in frames.players:
        arrays += [pf.pos, pf.vel, pf.boost] + ([pf.rot] if pf.rot is not None else [])
    for a in arrays:
        bad = ~np.isfinite(a)
        if bad.any():
            a[bad] = 0.0
            frames.non_finite += int(bad.sum())


def _has_ball(ball_pos: np.ndarray) -> bool:
    return bool(ball_pos.size) and bool(np.any(ball_pos != 0.0))


def _check_crc(path: Path) -> None:
    """A damaged or altered file is refused before the engine can half-read it."""
    from rlcoach.replay.crc import crc_problem

    try:
        problem = crc_problem(path)
    except OSError as exc:
        raise ReplayError(f"{path.name}: cannot read: {exc.strerror or exc}") from None
    if problem:
        raise CorruptReplayError(f"{path.name}: corrupt replay ({problem})",
                                 hint="Use another copy of the replay, or skip it.")


def classify(path: Path, exc: BaseException) -> ReplayError:
    """Map an engine exception to a one-line rlcoach error."""
    message = " ".join(str(exc).split())
    short = message[:160] + ("..." if len(message) > 160 else "")
    if isinstance(exc, OSError):
        return ReplayError(f"{path.name}: cannot read: {exc.strerror or short}")
    if message.startswith(_CORRUPT):
        return CorruptReplayError(
            f"{path.name}: corrupt or truncated replay ({short})",
            hint="Re-save the replay from the game, or skip it.",
        )
    if message.startswith(_UNSUPPORTED) or any(m in message for m in _UNSUPPORTED_ANYWHERE):
        return UnsupportedReplayError(f"{path.name}: unsupported replay ({short})")
    return ReplayError(f"{path.name}: the replay engine failed ({short})")


def _frames_from_ndarray(array: np.ndarray, n_players: int) -> Frames:
    a = array.astype(np.float64, copy=False)
    expected = _GLOBAL_COLS + n_players * _PLAYER_COLS
    if a.ndim != 2 or a.shape[1] != expected:
        raise UnsupportedReplayError(
            f"unexpected frame layout: {a.shape[1] if a.ndim == 2 else a.shape} columns, "
            f"expected {expected}"
        )
    # Zeroed before presence is read: a NaN position is no car, not a car
    # (the time column is repaired in check_frames).
    finite = np.isfinite(a)
    finite[:, 12] = True
    non_finite = int(a.size - np.count_nonzero(finite))
    if non_finite:
        a = np.where(finite, a, 0.0)
    players = []
    for i in range(n_players):
        c = _GLOBAL_COLS + i * _PLAYER_COLS
        pos, vel = a[:, c : c + 3], a[:, c + 6 : c + 9]
        # The engine writes zeros for a player with no car on that row.
        present = np.any(pos != 0.0, axis=1) | np.any(vel != 0.0, axis=1)
        players.append(
            PlayerFrames(
                pos=pos,
                vel=vel,
                boost=a[:, c + 12] * (100.0 / _RAW_BOOST_MAX),
                present=present,
                demolished_by=np.where(a[:, c + 13] >= 0.0, a[:, c + 13], -1).astype(np.int16),
                touch=a[:, c + 14] > 0.5,
                pickup=a[:, c + 15] > 0.5,
                dodge=a[:, c + 16] > 0.5,
                powerslide=a[:, c + 17] > 0.5,
                rot=a[:, c + 3 : c + 6],
            )
        )
    return Frames(
        time=a[:, 12].copy(),
        ball_pos=a[:, 0:3],
        ball_vel=a[:, 6:9],
        state=a[:, 13].astype(np.int16),
        players=players,
        seconds_remaining=a[:, 14].copy(),
        kickoff_countdown=a[:, 15].copy(),
        non_finite=non_finite,
    )


def _load_from_frames(path: Path, prelude: hdr.Prelude) -> ReplayData:
    """Fallback for player churn: the per-frame API, all players ever seen."""
    import subtr_actor

    from rlcoach.replay.frames_fallback import frames_from_frames_data

    for _attempt in _ball_attempts():  # see BALL_ATTEMPTS
        try:
            data: dict[str, Any] = subtr_actor.get_replay_frames_data(str(path))
        except Exception as exc:
            raise classify(path, exc) from None
        replay = frames_from_frames_data(data)
        del data  # the per-frame dict is the memory peak: drop it before a retry
        check_frames(path, replay.frames)
        if _has_ball(replay.frames.ball_pos):
            break
    replay.replay_version = prelude.version
    replay.network_version = prelude.network_version
    replay.warnings.append(
        (
            "player-churn",
            "players joined or left during the match; stats cover the time each was present",
        )
    )
    hdr.attach_scoreboards(replay)
    return replay
