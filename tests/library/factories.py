"""Report v1 dicts for library tests, without analyzing replays.

``make_report`` builds a document in the documented v1 shape with every
registry metric filled (deterministically from ``seed``), so store and query
tests can control dates, teams, results and values exactly.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from rlcoach.report.registry import METRICS

ME = ("steam", "76561198000000001", "Me")
MATE = ("epic", "mate0001", "Mate")
OPP1 = ("epic", "opp00001", "Opponent One")
OPP2 = ("xbox", "opp00002", "Opponent Two")


def player(who: tuple[str, str, str], team: str, stats: dict[str, dict[str, Any]],
           *, is_bot: bool = False) -> dict[str, Any]:
    platform, pid, name = who
    return {
        "key": f"{platform}:{pid}", "name": name, "platform": platform, "id": pid,
        "team": team, "is_me": False, "is_bot": is_bot,
        "car": {"id": 23, "name": "Octane"}, "camera": {}, "start_time": 0.0,
        "end_time": 300.0, "stats": stats,
    }


def stats_for(seed: int, overrides: dict[str, float] | None = None) -> dict[str, dict[str, Any]]:
    rng = random.Random(seed)
    out: dict[str, dict[str, Any]] = {}
    for m in METRICS:
        if m.unit == "bool":
            value: Any = False
        elif m.integer:
            value = rng.randint(0, 500)
        else:
            value = round(rng.uniform(0, 100), 2)
        out.setdefault(m.group, {})[m.key] = value
    for qualified, value in (overrides or {}).items():
        group, key = qualified.split(".")
        out[group][key] = value
    return out


def make_report(
    *, date: datetime | str = datetime(2026, 3, 10, 18, 0, 0), playlist: str = "ranked-doubles",
    blue: tuple[tuple[str, str, str], ...] = (ME, MATE),
    orange: tuple[tuple[str, str, str], ...] = (OPP1, OPP2),
    score: tuple[int, int] = (3, 1), match_guid: str | None = "auto",
    my_stats: dict[str, float] | None = None, seed: int = 0, map_name: str = "DFH Stadium",
    duration: float = 300.0,
) -> dict[str, Any]:
    """A valid report v1 dict; ``my_stats`` overrides values of player ME."""
    when = date if isinstance(date, str) else date.isoformat()
    guid = uuid.uuid5(uuid.NAMESPACE_URL, f"{when}/{seed}").hex.upper() \
        if match_guid == "auto" else match_guid
    players = []
    for team, roster in (("blue", blue), ("orange", orange)):
        for i, who in enumerate(roster):
            overrides = my_stats if who == ME else None
            players.append(player(who, team, stats_for(seed * 31 + i + len(players), overrides)))
    sha = hashlib.sha256(f"{guid}/{when}/{seed}".encode()).hexdigest()
    return {
        "schema_version": "1.0",
        "generator": {"name": "rlcoach", "version": "0.1.0",
                      "engine": {"name": "subtr-actor-py", "version": "1.5.1"}},
        "replay": {
            "file_name": "game.replay", "file_size": 1000, "sha256": sha,
            "replay_id": sha[:32].upper(), "match_guid": guid, "date": when,
            "playlist": playlist, "playlist_name": playlist.replace("-", " ").title(),
            "match_type": "Online", "map_code": "stadium_p", "map_name": map_name,
            "team_size": max(len(blue), len(orange)), "duration": duration,
            "seconds_played": int(duration), "overtime": False, "forfeit": False,
            "score": {"blue": score[0], "orange": score[1]},
            "winner": "blue" if score[0] > score[1] else "orange" if score[1] > score[0] else None,
            "frame_count": 9000, "record_fps": 30.0, "sample_rate": 30.0,
            "replay_version": "868.32", "network_version": 10, "build_version": "x",
        },
        "teams": {"blue": {"score": score[0], "stats": {}},
                  "orange": {"score": score[1], "stats": {}}},
        "players": players,
        "events": {"goals": [], "demolitions": [], "boost_pickups": [], "touches": [],
                   "kickoffs": []},
        "quality": {"degraded": False, "warnings": [], "player_coverage": {}},
    }


def series(n: int, *, start: datetime = datetime(2026, 3, 10, 18, 0, 0),
           spacing: timedelta = timedelta(minutes=8), **kw: Any) -> list[dict[str, Any]]:
    """``n`` reports ``spacing`` apart, alternating wins and losses."""
    return [
        make_report(date=start + i * spacing, seed=i, score=(3, 1) if i % 2 == 0 else (0, 2),
                    **kw)
        for i in range(n)
    ]
