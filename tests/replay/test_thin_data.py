"""Replays with thin or broken data give a one-line error or a report that names
the problem, never a traceback or silently wrong numbers.

Each case takes a real replay's frames (the first 40 s of a corpus duel, to stay
fast) and breaks them the way other parsers' test fixtures do: no frames, no
ball, NaN positions, a missing header scoreboard or goal list, no game phases, a
player leaving at a cut in the recording.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import REPLAYS

from rlcoach.analysis.stats import compute_stats
from rlcoach.errors import UnsupportedReplayError
from rlcoach.replay.engine import check_frames, load_replay
from rlcoach.replay.types import Frames, PlayerFrames, ReplayData
from rlcoach.report.builder import FileInfo, build_report
from rlcoach.report.consistency import PRESENCE_SLACK_S, tracked_time
from rlcoach.report.schema import validate_report

DUEL = REPLAYS / "post-eac-ranked-duel-2026-04-28-a.replay"
ROWS = 1200  # 40 s at 30 Hz


def _cut(frames: Frames, rows: slice) -> Frames:
    def part(a: object) -> object:
        return a[rows] if isinstance(a, np.ndarray) else a

    players = [PlayerFrames(**{k: part(v) for k, v in vars(p).items() if not k.startswith("_")})
               for p in frames.players]
    return Frames(time=frames.time[rows].copy(), ball_pos=frames.ball_pos[rows].copy(),
                  ball_vel=frames.ball_vel[rows].copy(), state=frames.state[rows].copy(),
                  players=players, seconds_remaining=part(frames.seconds_remaining),
                  kickoff_countdown=part(frames.kickoff_countdown))


@pytest.fixture(scope="module")
def duel() -> ReplayData:
    replay = load_replay(DUEL)
    replay.frames = _cut(replay.frames, slice(0, ROWS))
    return replay


def _report(replay: ReplayData) -> dict:
    report = build_report(replay, compute_stats(replay), FileInfo("x.replay", 1, "0" * 64),
                          engine={"name": "subtr-actor-py", "version": "test"})
    validate_report(report)
    return report


def _no_ball(r: ReplayData) -> None:
    r.frames.ball_pos[:] = 0.0
    r.frames.ball_vel[:] = 0.0


def _nan(r: ReplayData) -> None:
    r.frames.players[0].pos[100:200] = np.nan
    r.frames.ball_vel[5] = np.inf
    r.frames.time[50] = np.nan
    check_frames(Path("x.replay"), r.frames)


def _no_scoreboard(r: ReplayData) -> None:
    r.header.pop("PlayerStats", None)
    for p in r.players:
        p.scoreboard = None


def _no_states(r: ReplayData) -> None:
    r.frames.state[:] = 0


def _no_goal_list(r: ReplayData) -> None:
    r.header.pop("Goals", None)
    r.header["Team0Score"] = 1


CASES: list[tuple[str, Callable[[ReplayData], None], str]] = [
    ("no-ball", _no_ball, "no-ball"),
    ("nan-values", _nan, "non-finite-values"),
    ("no-scoreboard", _no_scoreboard, "no-scoreboard"),
    ("no-game-states", _no_states, "no-game-state"),
    ("score-without-goals", _no_goal_list, "goal-events-missing"),
]


@pytest.mark.parametrize(("name", "damage", "code"), CASES, ids=[c[0] for c in CASES])
def test_thin_data_is_named_in_quality(duel: ReplayData, name: str,
                                       damage: Callable[[ReplayData], None], code: str) -> None:
    replay = copy.deepcopy(duel)
    damage(replay)
    report = _report(replay)
    assert code in {w["code"] for w in report["quality"]["warnings"]}


@pytest.mark.parametrize("rows", [0, 1])
def test_no_frames_is_a_one_line_unsupported_error(duel: ReplayData, rows: int) -> None:
    frames = _cut(duel.frames, slice(0, rows))
    with pytest.raises(UnsupportedReplayError, match="no network frames") as info:
        check_frames(Path("header-only.replay"), frames)
    assert "\n" not in info.value.message


def test_a_player_leaving_at_a_cut_is_not_tracked_past_his_last_row(duel: ReplayData) -> None:
    """Goal replays are cut from the recording; a row before a cut stands for up to a
    second. A player whose last row is the one before a cut was not there for it."""
    replay = copy.deepcopy(duel)
    leave = 600
    replay.frames.time[leave + 1:] += 9.0  # a cut goal replay
    gone = replay.frames.players[1]
    for a in (gone.pos, gone.vel):
        a[leave + 1:] = 0.0
    gone.present[leave + 1:] = False
    report = _report(replay)
    player = report["players"][1]
    present = player["end_time"] - player["start_time"]
    assert present == pytest.approx(replay.frames.time[leave] - replay.frames.time[0], abs=0.5)
    assert tracked_time(player) <= present + PRESENCE_SLACK_S
    assert "tracked-exceeds-presence" not in {w["code"] for w in report["quality"]["warnings"]}
