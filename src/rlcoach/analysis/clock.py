"""The game clock a player saw on screen, for every timed item in a report.

Report items carry ``time``: seconds since the recording started, which is
what tools need but not what a player remembers. The game replicates its
clock as whole seconds (``SecondsRemaining``): it counts down from the
match length (5:00 in ranked) during live play, stands still during
kickoff countdowns and after goals, and in overtime counts up from 0. The
clock shown at a moment is the last replicated value at or before it; we
format it as the game does ("4:37", "0:00", "+1:05" in overtime).

Overtime starts at the first kickoff countdown after the clock reached 0
(or, in replays without the countdown column, where the clock first rises
again). Replays whose clock column never leaves 0 (old formats) have no
known clock: items get ``clock: null`` rather than an invented one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rlcoach.replay.types import Frames

F = NDArray[np.float64]


@dataclass(frozen=True)
class GameClock:
    time: F  # recording time of each row
    seconds: F  # the clock's whole seconds on each row
    overtime_row: int | None  # first overtime row, None without overtime
    known: bool

    def row_at(self, t: float) -> int:
        return max(int(np.searchsorted(self.time, t, side="right")) - 1, 0)

    def at(self, t: float | None) -> str | None:
        """The clock shown ``t`` seconds into the recording, or None if unknown."""
        if not self.known or t is None or not self.time.size:
            return None
        row = self.row_at(float(t))
        overtime = self.overtime_row is not None and row >= self.overtime_row
        return format_clock(float(self.seconds[row]), overtime)


def format_clock(seconds: float, overtime: bool = False) -> str:
    whole = max(round(seconds), 0)
    text = f"{whole // 60}:{whole % 60:02d}"
    return f"+{text}" if overtime else text


def game_clock(frames: Frames) -> GameClock:
    time = frames.time
    seconds = frames.seconds_remaining
    if seconds is None or not seconds.size or not np.any(seconds > 0):
        return GameClock(time, np.zeros(time.shape), None, known=False)
    return GameClock(time, seconds, _overtime_row(seconds, frames.kickoff_countdown),
                     known=True)


def _overtime_row(seconds: F, countdown: F | None) -> int | None:
    """First row of overtime: a kickoff after regulation's clock ran out."""
    started = np.flatnonzero(seconds > 0)
    zero = np.flatnonzero(seconds[started[0]:] <= 0) + started[0] if started.size else []
    if not len(zero):
        return None
    end = int(zero[0])
    candidates = []
    if countdown is not None:
        kick = np.flatnonzero(countdown[end:] > 0)
        if kick.size:
            candidates.append(end + int(kick[0]))
    rising = np.flatnonzero(seconds[end:] > 0)
    if rising.size:
        candidates.append(end + int(rising[0]))
    return min(candidates) if candidates else None


def attach_clocks(report: dict[str, Any], clock: GameClock) -> None:
    """Fill ``clock`` next to every ``time`` in events, coaching and insights.

    Runs last in the builder, after every section that lists moments exists.
    Also records the clock when the recording ended (``replay.end_clock``),
    which tells a forfeit's moment, and marks ``replay.overtime`` when the
    clock went into overtime: the headers of the corpus's four overtime
    games all lack ``bOverTime``.
    """
    for section in ("events", "coaching", "insights"):
        if section in report:
            _fill(report[section], clock)
    replay = report.get("replay")
    if isinstance(replay, dict) and clock.time.size:
        replay["end_clock"] = clock.at(float(clock.time[-1]))
        if clock.overtime_row is not None and clock.overtime_row < clock.time.size:
            replay["overtime"] = True


def _fill(node: Any, clock: GameClock) -> None:
    if isinstance(node, dict):
        t = node.get("time", _MISSING)
        if t is not _MISSING and (t is None or isinstance(t, (int, float))):
            node["clock"] = clock.at(t)
        for value in node.values():
            if isinstance(value, (dict, list)):
                _fill(value, clock)
    elif isinstance(node, list):
        for item in node:
            _fill(item, clock)


_MISSING = object()
