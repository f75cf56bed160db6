"""Rotation and positioning: who is first, second and third man, and when it goes wrong.

Design (heuristics, stated as such; every threshold is a named constant):

* **Roles** are assigned on every live row among the team's cars on the
  pitch: the first man is the car closest to the ball on the ground plane
  (the same distance ballchasing's closest-to-ball uses); with three or more
  cars the deepest of the others (nearest its own goal line) is the third
  man; everyone else is second man. Each tracked car gets exactly one role on
  each live row, so a player's role times add up to their live time.
* **First-man takeovers** count changes of the first man once the raw
  sequence is smoothed: a spell shorter than ``MIN_SPELL_S`` is folded into
  the previous one (two cars level with the ball flip every frame otherwise).
* **Double commit**: two teammates both within ``COMMIT_RADIUS`` of the ball
  and both closing on it faster than ``CLOSING_SPEED`` at the same moment.
* **Last-man overcommit**: the team's deepest car touches the ball in the
  opponents' half and the next touch is the opponents' within
  ``OVERCOMMIT_WINDOW_S`` (the challenge lost with nobody behind).
* **Goal side**: nearer the own goal than the ball is (not just "lower y").
* **Shadow defence**: goal side, in the own half, the opponents in
  possession, retreating while the ball comes towards the own goal, within
  ``SHADOW_RANGE`` of the ball.

Confidence scores on events are heuristic scores in [0, 1], not probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rlcoach.analysis import field
from rlcoach.analysis.context import Context

MIN_SPELL_S = 0.5
COMMIT_RADIUS = 700.0  # uu
CLOSING_SPEED = 400.0  # uu/s towards the ball
COMMIT_MERGE_S = 2.0  # a gap this long between flagged rows starts a new challenge
OVERCOMMIT_WINDOW_S = 3.0
SHADOW_RANGE = 3000.0  # uu
RETREAT_SPEED = 300.0  # uu/s towards the own goal

ROLE_NONE, ROLE_FIRST, ROLE_SECOND, ROLE_THIRD = 0, 1, 2, 3
I8 = NDArray[np.int8]


@dataclass(frozen=True)
class DoubleCommit:
    row: int
    players: tuple[int, int]
    confidence: float


@dataclass(frozen=True)
class Overcommit:
    row: int
    player: int
    lost_to: int  # the opponent whose touch followed
    confidence: float


def team_roles(ctx: Context, team: int) -> dict[int, I8]:
    """Role code per row for each player of ``team`` (ROLE_NONE off the pitch or not live)."""
    members = ctx.team_members(team)
    n = ctx.frames.n
    roles = {i: np.zeros(n, dtype=np.int8) for i in members}
    if not members:
        return roles
    live = ctx.phases.live
    ball = ctx.frames.ball_pos[:, :2]
    on = np.vstack([ctx.tracked[i] & live for i in members])
    dist = np.vstack([np.linalg.norm(ctx.frames.players[i].pos[:, :2] - ball, axis=1)
                      for i in members])
    depth = np.vstack([ctx.y_forward[i] for i in members])
    dist = np.where(on, dist, np.inf)
    first = np.argmin(dist, axis=0)
    count = on.sum(axis=0)
    rest_depth = np.where(on, depth, np.inf)
    rest_depth[first, np.arange(n)] = np.inf
    third = np.argmin(rest_depth, axis=0)
    for k, i in enumerate(members):
        r = np.where(on[k], ROLE_SECOND, ROLE_NONE).astype(np.int8)
        r[(third == k) & (count >= 3) & on[k]] = ROLE_THIRD
        r[(first == k) & on[k]] = ROLE_FIRST
        roles[i] = r
    return roles


def all_roles(ctx: Context) -> dict[int, I8]:
    out: dict[int, I8] = {}
    for team in (0, 1):
        out.update(team_roles(ctx, team))
    return out


def first_man_takeovers(ctx: Context, roles: dict[int, I8], team: int) -> dict[int, list[int]]:
    """Rows where each player became first man, after smoothing short spells."""
    members = ctx.team_members(team)
    seq = np.full(ctx.frames.n, -1, dtype=np.int64)
    for i in members:
        seq[roles[i] == ROLE_FIRST] = i
    t = ctx.frames.time
    starts = np.flatnonzero(np.diff(seq, prepend=-2) != 0)
    ends = np.r_[starts[1:], len(seq)]
    out: dict[int, list[int]] = {i: [] for i in members}
    current = -1
    for a, b in zip(starts, ends, strict=True):
        who = int(seq[a])
        if who == -1:  # not live: the next live spell starts fresh (kickoffs are not takeovers)
            current = -1
            continue
        long_enough = t[min(b, len(t) - 1)] - t[a] >= MIN_SPELL_S
        if who != current and long_enough:
            if current != -1:
                out[who].append(int(a))
            current = who
    return out


def _closing(ctx: Context, i: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Distance to the ball and speed towards it, per row."""
    pf = ctx.frames.players[i]
    gap = ctx.frames.ball_pos - pf.pos
    dist = np.linalg.norm(gap, axis=1)
    unit = gap / np.maximum(dist, 1.0)[:, None]
    return dist, np.einsum("ij,ij->i", pf.vel, unit)


def double_commits(ctx: Context, team: int) -> list[DoubleCommit]:
    members = ctx.team_members(team)
    t = ctx.frames.time
    live = ctx.phases.live
    near = {}
    for i in members:
        dist, closing = _closing(ctx, i)
        near[i] = (dist, ctx.tracked[i] & live & (dist <= COMMIT_RADIUS)
                   & (closing >= CLOSING_SPEED))
    found: list[DoubleCommit] = []
    for a_pos, a in enumerate(members):
        for b in members[a_pos + 1:]:
            last = -np.inf  # last flagged row's time: one event per challenge
            for row in np.flatnonzero(near[a][1] & near[b][1]):
                fresh = t[row] - last >= COMMIT_MERGE_S
                last = t[row]
                if not fresh:
                    continue
                mean_dist = (near[a][0][row] + near[b][0][row]) / 2.0
                conf = 0.5 + 0.5 * (1.0 - mean_dist / COMMIT_RADIUS)
                found.append(DoubleCommit(int(row), (a, b), round(float(conf), 2)))
    found.sort(key=lambda d: d.row)
    return found


def overcommits(ctx: Context) -> list[Overcommit]:
    t = ctx.frames.time
    players = ctx.replay.players
    touches = ctx.touches
    out: list[Overcommit] = []
    for k, touch in enumerate(touches):
        i, row = touch.player, touch.row
        team = players[i].team
        mates = [j for j in ctx.teammates(i) if ctx.tracked[j][row]]
        if not mates or not ctx.phases.live[row] or ctx.y_forward[i][row] <= 0:
            continue
        if any(ctx.y_forward[j][row] < ctx.y_forward[i][row] for j in mates):
            continue  # someone was behind: not the last man
        nxt = next((x for x in touches[k + 1:] if x.player != i), None)
        if (nxt is None or players[nxt.player].team == team
                or t[nxt.row] - t[row] > OVERCOMMIT_WINDOW_S):
            continue
        if out and out[-1].player == i and t[row] - t[out[-1].row] <= OVERCOMMIT_WINDOW_S:
            continue  # the same lost duel, touched again
        ball_yf = ctx.frames.ball_pos[nxt.row, 1] * field.attack_sign(team)
        conf = 0.6
        conf += 0.2 if ctx.y_forward[i][nxt.row] > ball_yf else 0.0  # still beaten, ahead of it
        conf += 0.2 if t[nxt.row] - t[row] <= OVERCOMMIT_WINDOW_S / 2 else 0.0
        out.append(Overcommit(row, i, nxt.player, round(conf, 2)))
    return out


def goal_side(ctx: Context, i: int) -> NDArray[np.bool_]:
    """Rows where the car is nearer its own goal than the ball is."""
    team = ctx.replay.players[i].team
    sign = field.attack_sign(team)
    goal = np.array([0.0, -field.BACK_WALL_Y])
    car = np.c_[ctx.frames.players[i].pos[:, 0], ctx.y_forward[i]]
    ball = np.c_[ctx.frames.ball_pos[:, 0], ctx.frames.ball_pos[:, 1] * sign]
    return np.asarray(np.linalg.norm(car - goal, axis=1) < np.linalg.norm(ball - goal, axis=1))


def shadowing(ctx: Context, i: int) -> NDArray[np.bool_]:
    team = ctx.replay.players[i].team
    sign = field.attack_sign(team)
    retreat = ctx.frames.players[i].vel[:, 1] * sign <= -RETREAT_SPEED
    ball_in = ctx.frames.ball_vel[:, 1] * sign <= -RETREAT_SPEED
    return np.asarray(
        goal_side(ctx, i) & (ctx.y_forward[i] < 0) & (ctx.possession == 1 - team)
        & retreat & ball_in & (ctx.dist_to_ball[i] <= SHADOW_RANGE)
        & ctx.tracked[i] & ctx.phases.live
    )
