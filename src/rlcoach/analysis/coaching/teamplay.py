"""Team-play coaching for one replay: rotation, goals conceded, boost management.

``analyse(ctx)`` runs the three analyses once (they share the role
assignment) and returns a ``Part``: the per-player metrics (registry groups
``rotation`` and ``boost_management``, declared in
``rlcoach.report.coaching_metrics``; the report builder rounds them) and the
JSON-ready parts of ``report["coaching"]`` (``rotation``, ``goals_conceded``,
``boost_management``). Events carry ``time`` (seconds since the recording
started) and ``clock: None``; the clock pass fills ``clock`` later.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rlcoach.analysis.boost import Pickup, pickups_for
from rlcoach.analysis.coaching import boost_management as bm
from rlcoach.analysis.coaching import rotation as rot
from rlcoach.analysis.coaching.base import Part, PlayerValues
from rlcoach.analysis.coaching.conceded import goals_conceded
from rlcoach.analysis.context import Context

TEAMS = ("blue", "orange")
Stats = PlayerValues


def analyse(ctx: Context) -> Part:
    # The boost stats found these pickups already; recounting them here keeps
    # the analysis a function of the context alone (a few hundred rows).
    pickups = sorted((p for i in range(len(ctx.replay.players)) for p in pickups_for(ctx, i)),
                     key=lambda p: (p.row, p.player))
    roles = rot.all_roles(ctx)
    keys = [p.key for p in ctx.replay.players]
    t = ctx.frames.time

    def at(row: int) -> float:
        return round(float(t[row]), 2)

    takeovers: dict[int, list[int]] = {}
    for team in (0, 1):
        takeovers.update(rot.first_man_takeovers(ctx, roles, team))
    commits = [c for team in (0, 1) for c in rot.double_commits(ctx, team)]
    commits.sort(key=lambda c: c.row)
    overs = rot.overcommits(ctx)
    conceded = goals_conceded(ctx)
    starved_rows = {i: bm.starved(ctx, i, roles) for i in range(len(keys))}
    player_stats = {
        "rotation": [_rotation_stats(ctx, i, roles[i], takeovers.get(i, []), commits, overs,
                                     conceded) for i in range(len(keys))],
        "boost_management": [_boost_stats(ctx, i, starved_rows[i], pickups)
                             for i in range(len(keys))],
    }
    spells = [s for i in range(len(keys)) for s in bm.starved_spells(ctx, i, starved_rows[i])]
    spells.sort(key=lambda s: s.row)
    sections: dict[str, Any] = {
        "rotation": {
            "double_commits": [{"time": at(c.row), "clock": None,
                                "players": [keys[c.players[0]], keys[c.players[1]]],
                                "confidence": c.confidence} for c in commits],
            "overcommits": [{"time": at(o.row), "clock": None, "player": keys[o.player],
                             "lost_to": keys[o.lost_to], "confidence": o.confidence}
                            for o in overs],
            "first_man_takeovers": sorted(
                ({"time": at(r), "clock": None, "player": keys[i]}
                 for i, rows in takeovers.items() for r in rows), key=lambda e: e["time"]),
        },
        "goals_conceded": [_conceded_json(g, keys, at) for g in conceded],
        "boost_management": {
            "starved": [{"time": at(s.row), "clock": None, "player": keys[s.player],
                         "seconds": s.seconds} for s in spells],
            "big_pads": {TEAMS[team]: _big_pads(ctx, pickups, team) for team in (0, 1)},
        },
    }
    return Part(sections, player_stats)


def _rotation_stats(ctx: Context, i: int, role: np.ndarray, takeovers: list[int],
                    commits: list[rot.DoubleCommit], overs: list[rot.Overcommit],
                    conceded: list[Any]) -> Stats:
    dt = ctx.dt
    times = {r: float(dt[role == code].sum())
             for r, code in (("first", rot.ROLE_FIRST), ("second", rot.ROLE_SECOND),
                             ("third", rot.ROLE_THIRD))}
    live = float(dt[role != rot.ROLE_NONE].sum())
    share = (lambda x: 100.0 * x / live) if live else (lambda x: 0.0)
    on = role != rot.ROLE_NONE
    return {
        "time_first_man": times["first"], "time_second_man": times["second"],
        "time_third_man": times["third"],
        "percent_first_man": share(times["first"]), "percent_second_man": share(times["second"]),
        "percent_third_man": share(times["third"]),
        "first_man_takeovers": len(takeovers),
        "double_commits": sum(1 for c in commits if i in c.players),
        "last_man_overcommits": sum(1 for o in overs if o.player == i),
        "percent_goal_side": share(float(dt[on & rot.goal_side(ctx, i)].sum())),
        "time_shadow_defence": float(dt[rot.shadowing(ctx, i)].sum()),
        "goals_conceded_caught_ahead": sum(
            1 for g in conceded for d in g.defenders if d.player == i and not d.goal_side),
    }


def _boost_stats(ctx: Context, i: int, starved: np.ndarray, pickups: list[Pickup]) -> Stats:
    live = float((ctx.dt * ctx.tracked[i] * ctx.phases.live).sum())
    time_starved = float(ctx.dt[starved].sum())
    return {
        "time_starved": time_starved,
        "percent_starved": 100.0 * time_starved / live if live else 0.0,
        **bm.pad_shares(pickups, i),
    }


def _big_pads(ctx: Context, pickups: list[Pickup], team: int) -> dict[str, int]:
    mine = [p for p in pickups if p.big and ctx.replay.players[p.player].team == team]
    return {"taken": len(mine), "stolen": sum(p.stolen for p in mine)}


def _conceded_json(g: Any, keys: list[str], at: Any) -> dict[str, Any]:
    def key(i: int | None) -> str | None:
        return keys[i] if i is not None else None

    return {
        "time": at(g.row), "clock": None, "shot_time": at(g.shot_row),
        "team": TEAMS[g.team], "scorer": key(g.scorer), "last_back": key(g.last_back),
        "caught_ahead": g.caught_ahead,
        "defenders": [{"player": keys[d.player], "boost": round(d.boost),
                       "ahead_of_ball": d.ahead_of_ball, "goal_side": d.goal_side}
                      for d in g.defenders],
        "touch_chain": [{"time": at(r), "clock": None, "player": keys[p]}
                        for r, p in g.touch_chain],
    }
