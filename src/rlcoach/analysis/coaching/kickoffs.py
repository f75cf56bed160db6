"""Kickoffs: spawn, approach, first touch and outcome of every kickoff.

Definitions (labels follow the engine's kickoff events, subtr-actor
``src/stats/accumulators/kickoff.rs``, so the two can be compared):

- spawn: from the car's position on the last countdown row. Diagonal
  (|x| = 2048), off-centre (|x| = 256) or centre (x = 0); left/right as the
  player sees it facing the opponents' goal (blue at x < 0 is left).
- taker: per team, the player nearest the ball when it is first touched
  (3 s after the whistle when nobody touches it); the others are support.
- approach of a taker: ``fake`` (travelled < 150 uu in the first 0.75 s),
  ``boost_into_ball`` (no dodge before contact), else the kind of the first
  dodge: ``front_flip`` or ``diagonal_flip`` (the roof tilts sideways by at
  least half as much as along the nose), and a diagonal one over 1200 uu from
  the ball is a ``speed_flip`` when the mechanics speed-flip rule
  (``mechanics.dodges.speed_flip``, read from the dodge's start) accepts it;
  ``flip`` when the replay has no rotations or the car barely turned before
  contact. Support:
  ``go_for_boost`` (a big pad within 4 s), ``cheat`` (ends past its own
  third towards the ball), else ``other``.
- outcome: the ball's half 3 s after the first touch. Beyond 700 uu from the
  halfway line it counts for the team attacking that half; closer, neutral.
  A goal inside that window counts for the scorer. ``possession_after`` is
  the team of the last touch at that moment.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from rlcoach.analysis import field
from rlcoach.analysis.coaching.base import (
    Part,
    at_time,
    axes,
    pct,
    player_ref,
    rows_until,
    team_name,
)
from rlcoach.analysis.coaching.mechanics.dodges import dodge_starts, speed_flip
from rlcoach.analysis.context import Context
from rlcoach.analysis.kickoffs import Kickoff, kickoffs

OUTCOME_S = 3.0
NEUTRAL_Y = 700.0
NO_TOUCH_S = 3.0
FAKE_DISTANCE = 150.0
FAKE_WINDOW_S = 0.75
FLIP_WINDOW_S = 0.5
SPEEDFLIP_ALIGN = 0.7  # cos 45 degrees
NEAR_BALL = 1200.0  # a dodge this close to the ball is the flip into it
MIN_TILT = 0.05
SPEEDFLIP_ROLL = 0.9  # the roof rolls over by 65+ degrees (the engine's: about 175)
SIDE_RATIO = 0.5
SUPPORT_BOOST_S = 4.0
CHEAT_Y = -field.THIRD_Y  # y towards the opponents' goal


def spawn_label(x: float, y: float, team: int) -> str:
    if not 2000.0 <= abs(y) <= 5000.0:
        return "unknown"
    ax = abs(x)
    kind = "diagonal" if ax > 1500 else "off_center" if ax > 100 else "center"
    if kind == "center":
        return kind
    left = x * field.attack_sign(team) < 0
    return f"{kind}_{'left' if left else 'right'}"


def outcome_team(ball_y: float) -> int | None:
    """The team whose attacking half the ball is in, beyond the neutral band."""
    if ball_y > NEUTRAL_Y:
        return 0
    if ball_y < -NEUTRAL_Y:
        return 1
    return None


def flip_kind(rot: np.ndarray | None, vel: np.ndarray, near_ball: bool) -> str:
    """Classify a dodge from the car's axes until contact or for half a second.

    A dodge far from the ball whose nose stays on its line of travel is a
    cancelled flip (speed flip); otherwise the roof's tilt tells a front
    flip (tilts along the nose) from a diagonal one (also sideways).
    """
    if rot is None or len(rot) < 2:
        return "flip"
    forward, up = axes(rot)
    f0 = forward[0, :2] / max(float(np.linalg.norm(forward[0, :2])), 1e-6)
    side = np.array([-f0[1], f0[0], 0.0])
    tilt = up - up[0]
    sideways = float(np.max(np.abs(tilt @ side)))
    along = float(np.max(np.abs(tilt[:, :2] @ f0)))
    if max(sideways, along) < MIN_TILT:
        return "flip"
    travel = vel[:, :2] / np.maximum(np.linalg.norm(vel[:, :2], axis=1, keepdims=True), 1.0)
    aligned = float(np.min(np.sum(forward[:, :2] * travel, axis=1))) >= SPEEDFLIP_ALIGN
    if not near_ball and aligned and sideways >= SPEEDFLIP_ROLL:
        return "speed_flip"
    return "diagonal_flip" if sideways > SIDE_RATIO * along else "front_flip"


def _taker_approach(ctx: Context, i: int, start: int, contact: int) -> str:
    pf = ctx.frames.players[i]
    early = rows_until(ctx, start, FAKE_WINDOW_S)
    travelled = float(np.linalg.norm(pf.pos[early] - pf.pos[start]))
    if travelled < FAKE_DISTANCE:
        return "fake"
    dodges = np.flatnonzero(pf.dodge[start:contact + 1])
    if not len(dodges):
        return "boost_into_ball"
    d = start + int(dodges[0])
    near = _near(ctx, i, d)
    end = min(rows_until(ctx, d, FLIP_WINDOW_S), contact if near else ctx.frames.n) + 1
    rot = pf.rot[d:end] if pf.rot is not None else None
    kind = flip_kind(rot, pf.vel[d:end], near)
    if kind not in ("speed_flip", "diagonal_flip") or near:
        return kind
    # The flag above marks the row where the engine pushes its dodge event,
    # 0.45 s into the dodge; the mechanics rule reads the dodge from its start.
    first = dodge_starts(ctx, i)
    first = first[(first >= start) & (first <= contact)]
    return "speed_flip" if len(first) and speed_flip(ctx, i, int(first[0])) is not None \
        else "diagonal_flip"


def _near(ctx: Context, i: int, row: int) -> bool:
    return float(ctx.dist_to_ball[i][row]) < NEAR_BALL


def _support_behaviour(ctx: Context, i: int, start: int, contact: int) -> str:
    pf = ctx.frames.players[i]
    stop = rows_until(ctx, start, SUPPORT_BOOST_S)
    big = np.flatnonzero(pf.pickup[start:stop + 1])
    for r in big:
        pos = pf.pos[start + int(r), :2]
        if np.min(np.linalg.norm(field.BIG_PADS - pos, axis=1)) < 300:
            return "go_for_boost"
    if ctx.y_forward[i][contact] > CHEAT_Y:
        return "cheat"
    return "other"


def _boost_used(ctx: Context, i: int, start: int, stop: int) -> float:
    b = ctx.frames.players[i].boost[start:stop + 1]
    return float(-np.clip(np.diff(b), None, 0.0).sum()) if len(b) > 1 else 0.0


def analyse_kickoff(ctx: Context, k: Kickoff) -> dict[str, Any]:
    frames, start = ctx.frames, k.row
    spawn_row = max(start - 1, 0)
    contact = next((x.row for x in ctx.touches if x.row >= start and x.player == k.first_touch),
                   None) if k.first_touch is not None else None
    ref_row = contact if contact is not None else rows_until(ctx, start, NO_TOUCH_S)
    on_pitch = [i for i, pf in enumerate(frames.players)
                if pf.present[spawn_row] and ctx.tracked[i][start]]
    takers = {}
    for team in (0, 1):
        members = [i for i in on_pitch if ctx.replay.players[i].team == team]
        if members:
            takers[team] = min(members, key=lambda i: float(ctx.dist_to_ball[i][ref_row]))
    players = []
    for i in on_pitch:
        info, pf = ctx.replay.players[i], frames.players[i]
        taker = takers.get(info.team) == i
        players.append({
            **player_ref(ctx, i), "team": team_name(info.team),
            "spawn": spawn_label(float(pf.pos[spawn_row, 0]), float(pf.pos[spawn_row, 1]),
                                 info.team),
            "role": "taker" if taker else "support",
            "approach": _taker_approach(ctx, i, start, ref_row) if taker
            else _support_behaviour(ctx, i, start, ref_row),
            "first_touch": k.first_touch == i,
            "boost_used": round(_boost_used(ctx, i, start, ref_row), 1),
        })
    winner, possession = _outcome(ctx, k, contact)
    return {
        **at_time(ctx, start), "index": 0, "players": players,
        "outcome": {
            "winner_team": team_name(winner),
            "result": "neutral" if winner is None else ("won" if winner == 0 else "lost"),
            "possession_after": team_name(possession),
            "goal_within_5s": k.goal_within_5s,
        },
        "confidence": 1.0 if contact is not None and len(takers) == 2 else 0.5,
    }


def _outcome(ctx: Context, k: Kickoff, contact: int | None) -> tuple[int | None, int | None]:
    if contact is None:
        return None, None
    end = rows_until(ctx, contact, OUTCOME_S)
    for g in ctx.goals:
        if g.row is not None and contact <= g.row <= end:
            return g.team, g.team
    owner = int(ctx.possession[end])
    return outcome_team(float(ctx.frames.ball_pos[end, 1])), owner if owner in (0, 1) else None


def analyse(ctx: Context) -> Part:
    events = []
    for n, k in enumerate(kickoffs(ctx)):
        event = analyse_kickoff(ctx, k)
        event["index"] = n
        events.append(event)
    keys = [p.key for p in ctx.replay.players]
    stats: list[dict[str, float | int | None]] = [
        {"taken": 0, "won": 0, "lost": 0, "first_touches": 0} for _ in keys]
    by_spawn: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    for e in events:
        winner = e["outcome"]["winner_team"]
        for p in e["players"]:
            i = keys.index(p["player"])
            s = stats[i]
            s["first_touches"] = int(s["first_touches"] or 0) + int(p["first_touch"])
            if p["role"] != "taker":
                continue
            result = "neutral" if winner is None else "won" if winner == p["team"] else "lost"
            s["taken"] = int(s["taken"] or 0) + 1
            if result != "neutral":
                s[result] = int(s[result] or 0) + 1
            row = by_spawn[p["player"]].setdefault(
                p["spawn"], {"taken": 0, "won": 0, "lost": 0, "neutral": 0})
            row["taken"] += 1
            row[result] += 1
    for s in stats:
        s["win_pct"] = pct(float(s["won"] or 0), float(s["taken"] or 0))
    return Part(sections={"kickoffs": events, "kickoff_spawns": dict(by_spawn)},
                player_stats={"kickoffs": stats})
