"""Deterministic report v1 documents for the dashboard tests.

Values are plausible (near ballchasing's Champion means where there is one)
so snapshots look like a real dashboard, and every game carries goals,
demolitions and kickoffs; ``heatmap=True`` adds a position grid. Everything
derives from ``seed`` and fixed dates: no clock, no global random state.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rlcoach.library.db import Library
from rlcoach.library.store import FileInfo, add_report
from rlcoach.report.registry import METRICS
from rlcoach.tui.ranks import load_rank_means

NOW = datetime(2026, 3, 12, 21, 0, 0)

ME = ("steam", "76561198000000001", "Quantavious")
MATES = [("epic", "mate0001", "Kaiju"), ("epic", "mate0002", "Bluejay")]
OPPONENTS = [("xbox", f"opp{i:05d}", name) for i, name in enumerate(
    ("Torque", "Nimbus", "Zephyr", "Gravel", "Pixel", "Sprocket", "Mako", "Vortex"))]
MAPS = ["DFH Stadium", "Mannfield", "Champions Field", "Urban Central", "Beckwith Park"]
PLAYLISTS = [("ranked-doubles", "Ranked Doubles", 2), ("ranked-standard", "Ranked Standard", 3),
             ("ranked-duel", "Ranked Duel", 1)]


def stats(rng: random.Random, skill: float) -> dict[str, dict[str, Any]]:
    ranks = load_rank_means()
    out: dict[str, dict[str, Any]] = {}
    for m in METRICS:
        ref = ranks.stats.get(m.qualified)
        if ref is not None:
            value: Any = ref.means[16] * rng.uniform(0.75, 1.25) * skill
        elif m.unit == "bool":
            value = False
        elif m.unit == "%":
            value = rng.uniform(5, 60)
        elif m.unit == "s":
            value = rng.uniform(10, 150)
        elif m.unit in ("count", "points"):
            value = rng.randint(0, 5)
        else:
            value = rng.uniform(100, 3000)
        if m.integer and not isinstance(value, bool):
            value = round(value)
        elif isinstance(value, float):
            value = round(value, 2)
        out.setdefault(m.group, {})[m.key] = value
    return out


def heatmap(rng: random.Random, length: int = 10, width: int = 8) -> dict[str, Any]:
    """A coarse grid of time shares, heavier in the user's own half."""
    cells = [[rng.random() * (1.6 - i / length) for _ in range(width)] for i in range(length)]
    total = sum(map(sum, cells))
    return {"cells": [[round(v / total, 4) for v in row] for row in cells]}


def make_report(i: int, *, date: datetime, playlist: int = 0, win: bool = True,
                with_me: bool = True, with_heatmap: bool = False) -> dict[str, Any]:
    rng = random.Random(i)
    key, name, size = PLAYLISTS[playlist]
    me = ME if with_me else ("epic", f"stranger{i}", f"Stranger{i}")
    blue = [me, *MATES[: size - 1]]
    orange = [OPPONENTS[(i + k) % len(OPPONENTS)] for k in range(size)]
    ours, theirs = (rng.randint(1, 5), 0) if win else (0, rng.randint(1, 5))
    theirs = theirs or rng.randint(0, max(ours - 1, 0))
    ours = ours or rng.randint(0, max(theirs - 1, 0))
    duration = 300.0 + rng.randint(0, 40)
    players = []
    for team, roster in (("blue", blue), ("orange", orange)):
        for who in roster:
            platform, pid, pname = who
            p = {"key": f"{platform}:{pid}", "name": pname, "platform": platform, "id": pid,
                 "team": team, "is_me": False, "is_bot": False,
                 "car": {"id": 23, "name": "Octane"}, "camera": {}, "start_time": 0.0,
                 "end_time": duration, "stats": stats(rng, 1.05 if who == ME else 1.0)}
            if with_heatmap:
                p["heatmap"] = heatmap(rng)
            players.append(p)
    keys = {"blue": [p["key"] for p in players if p["team"] == "blue"],
            "orange": [p["key"] for p in players if p["team"] == "orange"]}
    goal_times = sorted(rng.uniform(10, duration - 5) for _ in range(ours + theirs))
    teams = ["blue"] * ours + ["orange"] * theirs
    rng.shuffle(teams)
    goals = [{"time": round(t, 1), "frame": int(t * 30), "team": team,
              "scorer": rng.choice(keys[team]), "assister": None, "ball_speed": 2500.0}
             for t, team in zip(goal_times, teams, strict=True)]
    demos = []
    for _ in range(rng.randint(0, 4)):
        t = rng.uniform(5, duration)
        side = rng.choice(["blue", "orange"])
        other = "orange" if side == "blue" else "blue"
        demos.append({"time": round(t, 1), "frame": int(t * 30),
                      "attacker": rng.choice(keys[side]), "victim": rng.choice(keys[other])})
    kickoffs = [{"time": 0.0, "frame": 0, "first_touch": rng.choice(keys["blue"]),
                 "goal_within_5s": False}]
    kickoffs += [{"time": round(g["time"] + 8, 1), "frame": int((g["time"] + 8) * 30),
                  "first_touch": rng.choice(keys["orange"]), "goal_within_5s": False}
                 for g in goals if g["time"] + 8 < duration]
    guid = uuid.uuid5(uuid.NAMESPACE_URL, f"rlcoach-tui/{i}").hex.upper()
    sha = hashlib.sha256(guid.encode()).hexdigest()
    return {
        "schema_version": "1.0",
        "generator": {"name": "rlcoach", "version": "0.1.0",
                      "engine": {"name": "subtr-actor-py", "version": "1.5.1"}},
        "replay": {
            "file_name": f"{i}.replay", "file_size": 1000, "sha256": sha,
            "replay_id": sha[:32].upper(), "match_guid": guid, "date": date.isoformat(),
            "playlist": key, "playlist_name": name, "match_type": "Online",
            "map_code": "map_p", "map_name": MAPS[i % len(MAPS)], "team_size": size,
            "duration": duration, "seconds_played": int(duration), "overtime": False,
            "forfeit": False, "score": {"blue": ours, "orange": theirs},
            "winner": "blue" if ours > theirs else "orange" if theirs > ours else None,
            "frame_count": int(duration * 30), "record_fps": 30.0, "sample_rate": 30.0,
            "replay_version": "868.32", "network_version": 10, "build_version": "x",
        },
        "teams": {"blue": {"score": ours, "stats": {}}, "orange": {"score": theirs, "stats": {}}},
        "players": players,
        "events": {"goals": goals, "demolitions": sorted(demos, key=lambda d: d["time"]),
                   "boost_pickups": [], "touches": [], "kickoffs": kickoffs},
        "quality": {"degraded": False, "warnings": [], "player_coverage": {}},
    }


def fill(library: Library, n: int, *, end: datetime = NOW - timedelta(minutes=20),
         heatmap_every: int = 1) -> list[int]:
    """Store ``n`` games through the library's own store, newest ending at ``end``.

    Games come in sessions of six, eight minutes apart, a day apart; the
    newest session is "current" at ``NOW``. Results follow a fixed pattern.
    """
    ids = []
    for i in range(n):
        back = n - 1 - i  # 0 for the newest game
        date = end - timedelta(days=back // 6, minutes=8 * (back % 6))
        report = make_report(i, date=date, playlist=(i // 7) % 3 if i % 5 else 0,
                             win=(i * 7) % 11 < 6, with_heatmap=i % heatmap_every == 0)
        info = FileInfo(path=str(Path("/replays") / f"{i}.replay"), size=1000, mtime=0.0,
                        sha256=report["replay"]["sha256"])
        ids.append(add_report(library, report, info)[1])
    return ids
