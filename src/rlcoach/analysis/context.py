"""Shared per-replay arrays that every stat group needs, computed once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from rlcoach.analysis.phases import Phases, match_phases
from rlcoach.replay.types import Frames, PlayerFrames, ReplayData

if TYPE_CHECKING:  # events imports this module
    from rlcoach.analysis.events import Goal, Touch

F = NDArray[np.float64]
B = NDArray[np.bool_]

# A demolished car respawns 3 s after the hit, but the engine's "demolished
# by" column covers only about the first second; for the rest the car sits
# at rest before it reappears. Counting the car as dead until it moves again
# (at most this long after the hit) matches ballchasing's tracked time: the
# player with 6 demos taken on the reference replays lost 12 s too few
# otherwise, and slow-speed, third and role times now match for them.
RESPAWN_S = 3.0
COUNTED_COUNTDOWN_S = 4.0
GOAL_PAUSE_S = 3.0
_AT_REST = 1.0  # uu/s: a respawning car has exactly zero velocity
_GAP_FACTOR = 4.0  # a row lasting this many median rows is a cut in the recording


@dataclass
class Context:
    replay: ReplayData

    @cached_property
    def frames(self) -> Frames:
        return self.replay.frames

    @cached_property
    def dt(self) -> F:
        return self.frames.dt

    @cached_property
    def phases(self) -> Phases:
        return match_phases(self.frames)

    @cached_property
    def tracked(self) -> list[B]:
        """Rows that count for a player: car on the pitch (not respawning).

        Like ballchasing we count every phase (kickoff countdowns and the
        seconds after a goal too), not only live play.
        """
        return [alive & ~self.early_countdown for alive in self.alive]

    @cached_property
    def alive(self) -> list[B]:
        """Rows with the player's car on the pitch (not respawning), any phase."""
        return [pf.present & ~dead & ~self._left_at_gap(pf)
                for pf, dead in zip(self.frames.players, self.respawning, strict=True)]

    def _left_at_gap(self, pf: PlayerFrames) -> B:
        """A player's last row before he leaves, when a gap in the recording follows.

        Each row stands for the time to the next one (up to a second across
        the cut goal replays). A player who left at such a cut was not there
        for that second: counting it tracked him up to 1 s longer than he was
        present (replays-wild sonic_spin, 81d1, gridiron: player churn).
        """
        dt = self.dt
        out = np.zeros(self.frames.n, dtype=bool)
        if self.frames.n < 2:
            return out
        ends = pf.present & ~np.r_[pf.present[1:], True]
        out[ends] = dt[ends] > _GAP_FACTOR * float(np.median(dt))
        return out

    @cached_property
    def early_countdown(self) -> B:
        """Countdown rows more than COUNTED_COUNTDOWN_S before the countdown ends."""
        cd = self.phases.countdown
        out = np.zeros(self.frames.n, dtype=bool)
        edges = np.diff(np.r_[0, cd.astype(np.int8), 0])
        time = self.frames.time
        for a, e in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
            end = time[e] if e < len(time) else time[-1]
            out[a:e] = time[a:e] < end - COUNTED_COUNTDOWN_S
        return out

    @cached_property
    def respawning(self) -> list[B]:
        """Rows where each player is demolished and waiting to respawn."""
        return [self._dead(pf) for pf in self.frames.players]

    def _dead(self, pf: PlayerFrames) -> B:
        """Demolished rows, extended over the respawn wait (see RESPAWN_S)."""
        dead = pf.demolished.copy()
        edges = np.diff(np.r_[0, dead.astype(np.int8), 0])
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        if not len(starts):
            return dead
        time = self.frames.time
        moving = np.linalg.norm(pf.vel, axis=1) >= _AT_REST
        for a, e in zip(starts, ends, strict=True):
            limit = int(np.searchsorted(time, time[a] + RESPAWN_S))
            stop = e + int(np.argmax(moving[e:limit])) if moving[e:limit].any() else limit
            dead[e:stop] = True
        return dead

    @cached_property
    def any_present(self) -> B:
        if not self.frames.players:
            return np.ones(self.frames.n, dtype=bool)
        return np.any([pf.present for pf in self.frames.players], axis=0)

    @cached_property
    def duration(self) -> float:
        """Seconds of recorded match (ballchasing's ``duration``)."""
        return float(self.dt[self.any_present].sum())

    @cached_property
    def boost_duration(self) -> float:
        """Match time less post-goal time: the base of bpm and boost shares."""
        return float(self.dt[self.any_present & ~self.phases.post_goal].sum())

    @cached_property
    def counted_duration(self) -> float:
        """Match time as ballchasing counts it: without the early countdown."""
        return float(self.dt[self.any_present & ~self.early_countdown].sum())

    @cached_property
    def percent_base(self) -> float:
        """Ballchasing's base for role and boost-level shares: counted match time
        less GOAL_PAUSE_S per goal and per clock expiry (see docs/parity.md)."""
        pauses = len([g for g in self.goals if g.row is not None]) + self.clock_expiries
        return max(self.counted_duration - GOAL_PAUSE_S * pauses, 0.0)

    @cached_property
    def clock_expiries(self) -> int:
        """Times the clock ran out (reached 0 in live play) and no goal followed
        before play stopped: the ball landing at 0:00, ending the match or regulation."""
        sr = self.frames.seconds_remaining
        if sr is None or not sr.size:
            return 0
        live = self.phases.live
        goals = [g.row for g in self.goals if g.row is not None]
        count = 0
        for row in np.flatnonzero((sr[1:] <= 0) & (sr[:-1] > 0)) + 1:
            stopped = np.flatnonzero(~live[row:])
            stop = row + int(stopped[0]) if stopped.size else len(live)
            if not any(row <= g <= stop + 1 for g in goals):
                count += 1
        return count

    @cached_property
    def speed(self) -> list[F]:
        return [np.linalg.norm(pf.vel, axis=1) for pf in self.frames.players]

    @cached_property
    def y_forward(self) -> list[F]:
        """Each player's y towards the opponents' goal (+ is attacking)."""
        return [
            pf.pos[:, 1] * (1.0 if info.team == 0 else -1.0)
            for pf, info in zip(self.frames.players, self.replay.players, strict=True)
        ]

    @cached_property
    def dist_to_ball(self) -> list[F]:
        ball = self.frames.ball_pos
        return [np.linalg.norm(pf.pos - ball, axis=1) for pf in self.frames.players]

    def teammates(self, i: int) -> list[int]:
        team = self.replay.players[i].team
        return [j for j, p in enumerate(self.replay.players) if p.team == team and j != i]

    def team_members(self, team: int) -> list[int]:
        return [j for j, p in enumerate(self.replay.players) if p.team == team]

    @cached_property
    def possession(self) -> NDArray[np.int8]:
        """Team (0/1) of the last ball touch on each row, -1 before any touch.

        Possession carries across goals and kickoffs until the next touch
        (ballchasing's split): clearing it at each goal/kickoff put the
        possession-split distances within tolerance for 20 of 32 player
        values on the reference replays, carrying it over for 25 of 32.
        """
        n = self.frames.n
        owner = np.full(n, -1, dtype=np.int8)
        events = np.full(n, -2, dtype=np.int8)  # -2 no event, 0/1 touch
        for pf, info in zip(self.frames.players, self.replay.players, strict=True):
            events[pf.touch] = info.team
        has = events != -2
        idx = np.where(has, np.arange(n), 0)
        np.maximum.accumulate(idx, out=idx)
        owner = np.where(has[idx] | (idx > 0), events[idx], -1).astype(np.int8)
        owner[owner == -2] = -1
        return owner

    @cached_property
    def goals(self) -> list[Goal]:
        from rlcoach.analysis.events import goals_from_header

        return goals_from_header(self)

    @cached_property
    def touches(self) -> list[Touch]:
        from rlcoach.analysis.events import touches

        return touches(self)
