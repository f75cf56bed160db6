"""Table-driven checks of the rotation, goals-conceded and boost-management rules
on hand-made frames, plus corpus invariants (roles partition live time)."""

from __future__ import annotations

import numpy as np
import pytest

from rlcoach.analysis.coaching import boost_management as bm
from rlcoach.analysis.coaching import rotation as rot
from rlcoach.analysis.coaching.conceded import goals_conceded
from rlcoach.analysis.context import Context
from rlcoach.replay.types import Frames, PlayerFrames, PlayerInfo, ReplayData

N = 90  # 3 s at 30 Hz
RAW = 100.0 / 255.0


def _car(xy: tuple[float, float], vel: tuple[float, float] = (0.0, 0.0), boost: float = 50.0,
         touch_rows: tuple[int, ...] = ()) -> PlayerFrames:
    pos = np.tile([xy[0], xy[1], 17.0], (N, 1))
    v = np.tile([vel[0], vel[1], 0.0], (N, 1))
    touch = np.zeros(N, dtype=bool)
    touch[list(touch_rows)] = True
    none = np.zeros(N, dtype=bool)
    return PlayerFrames(pos=pos, vel=v, boost=np.full(N, round(boost / RAW) * RAW),
                        present=np.ones(N, dtype=bool),
                        demolished_by=np.full(N, -1, dtype=np.int16), touch=touch,
                        pickup=none, dodge=none, powerslide=none)


def _replay(cars: list[tuple[int, PlayerFrames]], ball: tuple[float, float] = (0.0, 0.0),
            ball_vel: tuple[float, float] = (0.0, 0.0), state: np.ndarray | None = None,
            header: dict | None = None) -> ReplayData:
    frames = Frames(time=np.arange(N) / 30.0, ball_pos=np.tile([ball[0], ball[1], 93.0], (N, 1)),
                    ball_vel=np.tile([ball_vel[0], ball_vel[1], 0.0], (N, 1)),
                    state=state if state is not None else np.zeros(N, dtype=np.int16),
                    players=[c for _, c in cars])
    infos = [PlayerInfo(f"p{k}", team, None, None) for k, (team, _) in enumerate(cars)]
    return ReplayData(header=header or {}, players=infos, frames=frames, sample_rate=30.0,
                      source="ndarray")


# Blue (team 0) defends -y. Ball at the centre spot unless said otherwise.
@pytest.mark.parametrize(
    ("positions", "expected"),
    [
        # closest is first, deepest of the rest is third, the other second
        ([(0, -500), (0, -3000), (0, -1500)], [rot.ROLE_FIRST, rot.ROLE_THIRD, rot.ROLE_SECOND]),
        # the deepest car is also the closest: it is first; the next deepest is third
        ([(0, -4000), (3000, -3900), (0, -4500)],
         [rot.ROLE_THIRD, rot.ROLE_SECOND, rot.ROLE_FIRST]),
        # two cars: first and second, no third
        ([(0, -500), (0, -3000)], [rot.ROLE_FIRST, rot.ROLE_SECOND]),
        # alone: always first
        ([(0, -3000)], [rot.ROLE_FIRST]),
    ],
)
def test_roles_first_closest_third_deepest(positions, expected) -> None:
    ball = (0.0, -4400.0) if positions[0] == (0, -4000) else (0.0, 0.0)
    ctx = Context(_replay([(0, _car(p)) for p in positions], ball=ball))
    roles = rot.team_roles(ctx, 0)
    assert [int(roles[i][10]) for i in range(len(positions))] == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # both 300 uu from the ball, both driving at it: a double commit
        (((0, -300), (0, 1000)), ((300, 0), (-1000, 0)), 1),
        # one of them drives away: no double commit
        (((0, -300), (0, 1000)), ((300, 0), (1000, 0)), 0),
        # both closing, but one is 1500 uu away: no double commit
        (((0, -300), (0, 1000)), ((1500, 0), (-1000, 0)), 0),
    ],
)
def test_double_commit_needs_both_close_and_closing(a, b, expected) -> None:
    ctx = Context(_replay([(0, _car(a[0], a[1])), (0, _car(b[0], b[1]))]))
    # one challenge lasting the whole 3 s counts once (merge window)
    assert len(rot.double_commits(ctx, 0)) == expected


@pytest.mark.parametrize(
    ("last_y", "mate_y", "answer", "expected"),
    [
        (500, 1500, "opponent", 1),  # deepest, in their half, beaten within 3 s: overcommit
        (500, -1500, "opponent", 0),  # a teammate was behind: not the last man
        (-500, 1500, "opponent", 0),  # in the own half: a defensive challenge
        (500, 1500, "teammate", 0),  # the next touch was the team's own
    ],
)
def test_last_man_overcommit(last_y, mate_y, answer, expected) -> None:
    mate_touch = (40,) if answer == "teammate" else ()
    opp_touch = (40,) if answer == "opponent" else ()
    cars = [(0, _car((0, last_y), touch_rows=(10,))),
            (0, _car((500, mate_y), touch_rows=mate_touch)),
            (1, _car((0, 2000), touch_rows=opp_touch))]
    ctx = Context(_replay(cars, ball=(0.0, 600.0)))
    assert len(rot.overcommits(ctx)) == expected


def test_goal_side_is_nearer_own_goal_than_the_ball() -> None:
    # ball at (3000, -4000) near blue's corner; a car at (0, -3500) is nearer the goal
    ctx = Context(_replay([(0, _car((0, -3500))), (0, _car((3500, -4500)))],
                          ball=(3000.0, -4000.0)))
    assert rot.goal_side(ctx, 0)[0] and not rot.goal_side(ctx, 1)[0]


def _goal_replay(defenders: list[tuple[float, float]], boost: float) -> ReplayData:
    state = np.full(N, 20, dtype=np.int16)
    state[:5], state[80:] = 10, 30  # countdown, live, goal scored at row 80
    cars = [(1, _car((0, 3000), touch_rows=(60,)))]
    cars += [(0, _car(xy, boost=boost)) for xy in defenders]
    header = {"Goals": [{"PlayerTeam": 1, "PlayerName": "p0", "frame": 100}]}
    return _replay(cars, ball=(0.0, -2000.0), state=state, header=header)


@pytest.mark.parametrize(
    ("defenders", "caught", "last_back"),
    [
        # players: 0 is the scorer, defenders are 1, 2, (3)
        ([(0, -4000), (0, 0)], False, 1),  # one of two back: not caught
        ([(0, 0), (0, 1000)], True, 1),  # nobody back in 2v2: caught ahead
        ([(0, -4000), (0, 0), (0, 500)], True, 1),  # one of three back: caught
        ([(0, -4000), (0, -4500), (0, 500)], False, 2),  # two of three back
    ],
)
def test_goal_conceded_context(defenders, caught, last_back) -> None:
    (g,) = goals_conceded(Context(_goal_replay(defenders, boost=8.0)))
    assert g.caught_ahead is caught
    assert g.last_back == last_back
    assert g.shot_row == 60 and g.team == 0 and g.scorer == 0
    assert all(d.boost == pytest.approx(8.0, abs=0.5) for d in g.defenders)
    assert g.touch_chain == ((60, 0),)


@pytest.mark.parametrize(
    ("boost", "xy", "expected_s"),
    [
        (5.0, (0, -300), 3.0),  # low boost, first man: starved all along
        (50.0, (0, -300), 0.0),  # enough boost
        (5.0, (0, -1500), 0.0),  # low boost, second man of three: the play does not need it
    ],
)
def test_starved_needs_low_boost_and_a_role_that_matters(boost, xy, expected_s) -> None:
    mate = (0, -1000) if xy == (0, -1500) else (2500, -800)  # nearer the ball than player 0
    cars = [(0, _car(xy, boost=boost)), (0, _car(mate)), (0, _car((0, -4000)))]
    ctx = Context(_replay(cars))
    rows = bm.starved(ctx, 0, rot.all_roles(ctx))
    assert float(ctx.dt[rows].sum()) == pytest.approx(expected_s, abs=0.05)


def test_corpus_roles_partition_live_time(corpus_reports) -> None:
    checked = 0
    for report in corpus_reports.values():
        for p in report["players"]:
            r = p["stats"].get("rotation")
            assert r is not None
            total = r["time_first_man"] + r["time_second_man"] + r["time_third_man"]
            shares = r["percent_first_man"] + r["percent_second_man"] + r["percent_third_man"]
            assert shares == pytest.approx(100.0, abs=0.05) or total == 0
            checked += 1
        sizes = {p["team"]: 0 for p in report["players"]}
        for p in report["players"]:
            sizes[p["team"]] += 1
        for p in report["players"]:
            if sizes[p["team"]] < 3:
                assert p["stats"]["rotation"]["time_third_man"] == 0
        for g in report["coaching"]["goals_conceded"]:
            assert g["time"] >= g["shot_time"]
    assert checked > 100
