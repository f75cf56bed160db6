"""The coach's time-and-place tools: a moment in a game, rank means, notes.

A *moment* is what the stored report knows around one time in one game: the
score then, the last touch before it, and the events within a few seconds
(touches, boost pickups, demolitions, kickoffs, and the coaching analyses'
shots with positions when present). The library keeps reports, not frames, so
car positions and boost levels at an arbitrary time are not stored; the tool
says so instead of guessing.

Rank means are ballchasing's population averages shipped with rlcoach (data
file generated from ``../shared/benchmarks`` by ``scripts/gen_rank_benchmarks.py``);
every answer carries the source and its limits.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from rlcoach.coach import store
from rlcoach.coach.facts import (
    _event,
    _metric_list,
    _names,
    _window,
    game_filter,
    resolve_game,
    rnd,
)
from rlcoach.config import Identity
from rlcoach.errors import LibraryError
from rlcoach.library import queries as q
from rlcoach.library.db import Library

NEAR_SECONDS = 5.0
RANK_FILE = Path(__file__).resolve().parents[1] / "tui" / "data" / "rank_means.json"


def parse_clock(text: str) -> int | None:
    """Seconds on a game clock "m:ss" (overtime "+m:ss" counts up: returned negative)."""
    text = text.strip()
    sign = -1 if text.startswith("+") else 1
    try:
        minutes, seconds = text.lstrip("+").split(":")
        return sign * (int(minutes) * 60 + int(seconds))
    except ValueError:
        return None


def _time_for(report: dict[str, Any], args: dict[str, Any]) -> float:
    if args.get("time") is not None:
        return float(args["time"])
    clock = str(args.get("clock") or "")
    wanted = parse_clock(clock)
    if wanted is None:
        raise LibraryError("give the moment as time (seconds) or clock (m:ss)")
    timed = [e for kind in report.get("events", {}).values() if isinstance(kind, list)
             for e in kind if e.get("clock") and parse_clock(str(e["clock"])) is not None]
    if not timed:
        raise LibraryError("this game's report has no game-clock times",
                           hint="ask with time (seconds since the recording started)")
    best = min(timed, key=lambda e: abs(parse_clock(str(e["clock"])) - wanted))  # type: ignore[operator]
    return float(best["time"])


def moment(library: Library, args: dict[str, Any], identity: Identity | None) -> dict:
    game_id = resolve_game(library, args.get("game"), identity)
    report = q.game_report(library, game_id)
    names = _names(report)
    at = _time_for(report, args)
    events = report.get("events", {})
    goals = [g for g in events.get("goals", []) if g.get("time", 1e9) <= at]
    score = {"blue": sum(g.get("team") == "blue" for g in goals),
             "orange": sum(g.get("team") == "orange" for g in goals)}
    touches = [t for t in events.get("touches", []) if t.get("time", 1e9) <= at]
    near: list[dict[str, Any]] = []
    sections = [(k, events.get(k, [])) for k in ("touches", "boost_pickups", "demolitions",
                                                  "kickoffs", "goals")]
    sections += [(k, (report.get("coaching") or {}).get(k) or [])
                 for k in ("shots", "fifty_fifties", "mechanics")]
    for kind, items in sections:
        for e in items if isinstance(items, list) else []:
            t = e.get("time")
            if isinstance(t, int | float) and abs(t - at) <= NEAR_SECONDS:
                near.append(_event(game_id, kind, e, names))
    near.sort(key=lambda e: e["time"] or 0)
    return rnd({
        "game": game_id, "time": at, "clock": _nearest_clock(near, at),
        "score_before": score, "last_touch": _event(game_id, "touch", touches[-1], names)
        if touches else None,
        "events_within_5s": near[:30],
        "not_stored": "car positions and boost levels at an arbitrary time are not kept in the "
                      "library (only event data); positions appear on shots when analysed",
    })


def _nearest_clock(near: list[dict[str, Any]], at: float) -> str | None:
    exact = [e for e in near if e.get("clock") and abs((e["time"] or 0) - at) < 0.5]
    return exact[0]["clock"] if exact else None


@cache
def rank_means() -> dict[str, Any]:
    try:
        return json.loads(RANK_FILE.read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def compare_ranks(library: Library, args: dict[str, Any], identity: Identity | None) -> dict:
    data = rank_means()
    if not data:
        return {"available": False, "why": "rank means are not installed with this rlcoach"}
    tiers = {int(t): name for t, name in data["tiers"].items()}
    series = q.trends(library, _metric_list(args, default=("boost.bpm", "movement.avg_speed",
                                                          "movement.percent_supersonic_speed")),
                      last=_window(args), filters=game_filter(args), identity=identity)
    out = []
    for s in series:
        stat = data["stats"].get(s.metric)
        if stat is None:
            out.append({"metric": s.metric, "covered": False})
            continue
        means = {int(t): v["mean"] for t, v in stat["tiers"].items()}
        ladder = {t: m for t, m in means.items() if t != 999}
        mine = s.average
        nearest = min(ladder, key=lambda t: (abs(ladder[t] - mine), t)) if mine is not None \
            else None
        out.append(rnd({
            "metric": s.metric, "label": s.label, "my_mean": mine, "my_games": len(s.points),
            "rank_means": {tiers[t]: m for t, m in sorted(means.items())},
            "nearest_rank": tiers.get(nearest) if nearest is not None else None,
            "per_game_total": stat["per_game_total"],
        }))
    src = data["source"]
    return {"comparison": out, "source": src["name"], "captured": src["captured"],
            "limits": src["limits"],
            "caveat": "means only, all playlists pooled, pre-2023: say so whenever you use "
                      "these; per-game totals depend on team size and match length"}


def save_note(library: Library, args: dict[str, Any]) -> dict:
    game = args.get("game")
    note_id = store.save_note(library, str(args.get("kind", "observation")),
                              str(args.get("text", "")), int(game) if game else None)
    return {"saved": note_id}


def read_notes(library: Library, args: dict[str, Any]) -> dict:
    notes = store.read_notes(library, kind=args.get("kind"),
                             limit=max(1, min(int(args.get("limit", 20)), 50)))
    return {"notes": [{"id": n["id"], "kind": n["kind"], "text": n["text"],
                       "game": n["game_id"], "date": n["created_at"][:10]} for n in notes]}
