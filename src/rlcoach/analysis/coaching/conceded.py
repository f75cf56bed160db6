"""Goals conceded, in context: the picture at the scoring team's last touch.

For each goal against a team we look at the row of the scoring team's last
touch before the goal (the shot, as the defenders saw it; the goal row
itself if nobody on the scoring team touched within ``SHOT_LOOKBACK_S``):

* each defender's boost (the replicated level, what the HUD showed), whether
  they were ahead of the ball (further up the pitch than it) and goal side;
* who was last back (the deepest defender on the pitch);
* **caught ahead of play**: fewer than half of the defenders (rounded up)
  were goal side of the ball, i.e. nobody back in 1v1/2v2, at most one in 3v3;
* the touch chain: the last ``CHAIN_LENGTH`` touches within ``CHAIN_S``.

Goals the replay cannot place on the clock (no goal row) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from rlcoach.analysis import field
from rlcoach.analysis.boost import replicated_boost
from rlcoach.analysis.coaching.rotation import goal_side
from rlcoach.analysis.context import Context

SHOT_LOOKBACK_S = 6.0
CHAIN_S = 10.0
CHAIN_LENGTH = 6


@dataclass(frozen=True)
class Defender:
    player: int
    boost: float
    ahead_of_ball: bool
    goal_side: bool


@dataclass(frozen=True)
class ConcededGoal:
    row: int  # the goal
    shot_row: int  # the scoring team's last touch (or the goal row)
    team: int  # the conceding team
    scorer: int | None
    last_back: int | None
    defenders: tuple[Defender, ...]
    caught_ahead: bool
    touch_chain: tuple[tuple[int, int], ...]  # (row, player), oldest first


def goals_conceded(ctx: Context) -> list[ConcededGoal]:
    t = ctx.frames.time
    out = []
    for goal in ctx.goals:
        if goal.row is None or goal.team not in (0, 1):
            continue
        team = 1 - goal.team
        before = [x for x in ctx.touches if x.row <= goal.row and t[goal.row] - t[x.row] <= CHAIN_S]
        shots = [x for x in before if ctx.replay.players[x.player].team == goal.team
                 and t[goal.row] - t[x.row] <= SHOT_LOOKBACK_S]
        shot_row = shots[-1].row if shots else goal.row
        defenders = _defenders(ctx, team, shot_row)
        back = sum(d.goal_side for d in defenders)
        last_back = min(defenders, key=lambda d: ctx.y_forward[d.player][shot_row]).player \
            if defenders else None
        out.append(ConcededGoal(
            row=goal.row, shot_row=shot_row, team=team, scorer=goal.scorer,
            last_back=last_back, defenders=tuple(defenders),
            caught_ahead=bool(defenders) and back < (len(defenders) + 1) // 2,
            touch_chain=tuple((x.row, x.player) for x in before[-CHAIN_LENGTH:]),
        ))
    return out


def _defenders(ctx: Context, team: int, row: int) -> list[Defender]:
    ball_yf = ctx.frames.ball_pos[row, 1] * field.attack_sign(team)
    out = []
    for i in ctx.team_members(team):
        if not ctx.tracked[i][row]:
            continue
        held = replicated_boost(ctx.frames.players[i].boost)
        out.append(Defender(
            player=i, boost=float(held[row]),
            ahead_of_ball=bool(ctx.y_forward[i][row] > ball_yf),
            goal_side=bool(goal_side(ctx, i)[row]),
        ))
    return out
