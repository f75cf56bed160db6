"""Assemble report v1 from parsed replay data and computed stats.

Values are rounded here, once, by the registry's rules (integers for counts
and ballchasing's integer fields, two decimals elsewhere). Header facts
(date, playlist, score, scoreboard) are copied, never derived; when the
header lacks one, the field is null and ``quality`` says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rlcoach import __version__
from rlcoach.analysis.clock import attach_clocks, game_clock
from rlcoach.analysis.coaching import run_coaching
from rlcoach.analysis.events import assister_for, demolitions
from rlcoach.analysis.heatmap import heatmap
from rlcoach.analysis.kickoffs import kickoffs
from rlcoach.analysis.stats import MatchStats
from rlcoach.analysis.timeline import timeline
from rlcoach.replay.names import map_name_for, playlist_for
from rlcoach.replay.types import ReplayData
from rlcoach.report.insights import game_insights
from rlcoach.report.quality import quality_section
from rlcoach.report.registry import ALL_GROUPS, BY_QUALIFIED, TEAM_BALL_METRICS, TEAM_SUMMED_KEYS

SCHEMA_VERSION = "1.7"
TEAMS = ("blue", "orange")


@dataclass(frozen=True)
class FileInfo:
    name: str
    size: int
    sha256: str


def build_report(replay: ReplayData, stats: MatchStats, file: FileInfo,
                 engine: dict[str, str]) -> dict[str, Any]:
    ctx = stats.context
    t = ctx.frames.time
    keys = [p.key for p in replay.players]
    coaching = run_coaching(ctx)
    clock = game_clock(ctx.frames)

    def at(row: int | None) -> float | None:
        return round(float(t[row]), 2) if row is not None and 0 <= row < len(t) else None

    players = []
    for i, (info, s) in enumerate(zip(replay.players, stats.players, strict=True)):
        rows = np.flatnonzero(replay.frames.players[i].present)
        players.append({
            "key": info.key, "name": info.name, "platform": info.platform,
            "id": info.platform_id, "team": TEAMS[info.team], "is_me": False,
            "is_bot": info.is_bot, "car": {"id": info.car_id, "name": info.car_name},
            "camera": {k: v for k, v in info.camera.items() if v is not None},
            "heatmap": heatmap(ctx, i),
            "start_time": at(int(rows[0])) if rows.size else None,
            "end_time": at(int(rows[-1])) if rows.size else None,
            "stats": round_stats({**s, **coaching.player_stats[i]}),
        })
    scores = {TEAMS[k]: int(v) for k, v in enumerate(_scores(replay))}
    winner = None if scores["blue"] == scores["orange"] else max(scores, key=scores.__getitem__)
    teams = {
        TEAMS[k]: {"score": scores[TEAMS[k]],
                   "stats": round_stats(team_totals(stats, replay, k))}
        for k in (0, 1)
    }
    ball_speed = np.linalg.norm(ctx.frames.ball_vel, axis=1)
    events = {
        "goals": [
            {"time": at(g.row), "frame": g.row, "header_frame": g.header_frame,
             "team": TEAMS[g.team] if g.team in (0, 1) else None,
             "scorer": keys[g.scorer] if g.scorer is not None else None,
             "assister": _key(keys, assister_for(ctx, g)),
             "ball_speed": round(float(ball_speed[max(g.row - 1, 0)]), 1)
             if g.row is not None else None}
            for g in ctx.goals
        ],
        "demolitions": [
            {"time": at(d.row), "frame": d.row, "attacker": _key(keys, d.attacker),
             "victim": keys[d.victim]}
            for d in demolitions(ctx)
        ],
        "boost_pickups": [
            {"time": at(p.row), "frame": p.row, "player": keys[p.player],
             "pad": "big" if p.big else "small", "stolen": p.stolen, "amount": round(p.amount, 1)}
            for p in stats.pickups
        ],
        "touches": [
            {"time": at(x.row), "frame": x.row, "player": keys[x.player],
             "team": TEAMS[replay.players[x.player].team],
             "ball_speed": round(float(ball_speed[x.row]), 1)}
            for x in ctx.touches
        ],
        "kickoffs": [
            {"time": at(k.row), "frame": k.row, "first_touch": _key(keys, k.first_touch),
             "first_touch_team": TEAMS[k.first_touch_team] if k.first_touch_team is not None
             else None, "goal_within_5s": k.goal_within_5s}
            for k in kickoffs(ctx)
        ],
    }
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "rlcoach", "version": __version__, "engine": engine},
        "replay": replay_section(replay, stats, file, scores, winner),
        "teams": teams,
        "players": players,
        "events": events,
        # Coaching analyses (issue 10); insights and then attach_clocks (issue 9) follow.
        "coaching": coaching.section,
        "timeline": timeline(ctx, clock, keys),
        "quality": quality_section(replay, ctx),
    }
    _cross_check(report)
    report["insights"] = game_insights(report)
    attach_clocks(report, clock)  # last: every timed section exists
    return report


def _cross_check(report: dict[str, Any]) -> None:
    """Parts of the report that disagree get a specific quality warning."""
    from rlcoach.report.consistency import DEGRADING, consistency_warnings

    found = consistency_warnings(report)
    report["quality"]["warnings"].extend(found)
    report["quality"]["degraded"] |= any(w["code"] in DEGRADING for w in found)


def replay_section(replay: ReplayData, stats: MatchStats, file: FileInfo,
                   scores: dict[str, int], winner: str | None) -> dict[str, Any]:
    h = replay.header
    slug, playlist_name = playlist_for(replay.game_type)
    map_code = h.get("MapName")
    seconds = h.get("TotalSecondsPlayed")
    return {
        "file_name": file.name, "file_size": file.size, "sha256": file.sha256,
        "replay_id": h.get("Id"), "match_guid": h.get("MatchGUID"),
        "date": _iso_date(h.get("Date")), "title": h.get("ReplayName"),
        "playlist": slug, "playlist_name": playlist_name,
        "match_type": h.get("MatchType"),
        "map_code": map_code.lower() if isinstance(map_code, str) else None,
        "map_name": map_name_for(map_code if isinstance(map_code, str) else None),
        "team_size": h.get("TeamSize"),
        "duration": round(stats.context.duration, 2),
        "seconds_played": round(float(seconds), 2) if seconds is not None else None,
        "overtime": bool(h.get("bOverTime", False)),
        "forfeit": bool(h.get("bForfeit", False)),
        "score": scores, "winner": winner,
        "frame_count": h.get("NumFrames"), "record_fps": h.get("RecordFPS"),
        "sample_rate": replay.sample_rate, "frames_source": replay.source,
        "replay_version": replay.replay_version, "network_version": replay.network_version,
        "build_version": h.get("BuildVersion"),
    }


def team_totals(stats: MatchStats, replay: ReplayData, team: int) -> dict[str, dict[str, Any]]:
    """Ballchasing's team stats: summed player fields plus team-only figures."""
    members = [s for s, p in zip(stats.players, replay.players, strict=True) if p.team == team]
    out: dict[str, dict[str, Any]] = {}
    for qualified in TEAM_SUMMED_KEYS:
        group, key = qualified.split(".")
        out.setdefault(group, {})[key] = sum(float(m[group][key] or 0) for m in members)
    for group, values in stats.teams[team].items():
        out.setdefault(group, {}).update(values)
    return out


def round_stats(stats: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    ball = {m.key: m for m in TEAM_BALL_METRICS}
    for group in (*ALL_GROUPS, "ball"):
        if group not in stats:
            continue
        values: dict[str, Any] = {}
        for key, value in stats[group].items():
            m = ball.get(key) if group == "ball" else BY_QUALIFIED.get(f"{group}.{key}")
            if value is None or isinstance(value, bool):
                values[key] = value
            elif m is not None and m.integer:
                values[key] = round(float(value))
            else:
                values[key] = round(float(value), 2)
        out[group] = values
    return out


def _scores(replay: ReplayData) -> tuple[int, int]:
    h = replay.header
    return int(h.get("Team0Score") or 0), int(h.get("Team1Score") or 0)


def _key(keys: list[str], index: int | None) -> str | None:
    return keys[index] if index is not None and 0 <= index < len(keys) else None


def _iso_date(value: Any) -> str | None:
    """Header dates look like '2026-03-10 18-55-49' (or '2016-08-07:11-27')."""
    if not isinstance(value, str):
        return None
    import re

    m = re.match(r"(\d{4})-(\d{2})-(\d{2})[ :](\d{2})-(\d{2})(?:-(\d{2}))?", value)
    if not m:
        return None
    y, mo, d, hh, mm, ss = m.groups()
    return f"{y}-{mo}-{d}T{hh}:{mm}:{ss or '00'}"
