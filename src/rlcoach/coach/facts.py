"""What the coach's tools compute: plain functions over the library returning JSON-ready dicts.

Design:
- Read-only over ``rlcoach.library.queries`` (no SQL of our own), except the notes,
  which ``rlcoach.coach.store`` writes. Nothing here reaches the network.
- Compact: numbers rounded to 2 decimals, lists capped, only the user's stats unless
  asked. Every moment carries ``game`` (library id), ``time`` (seconds since the
  recording started) and ``clock`` (the game clock the player saw, from the report when
  the analysis computed it, else null: we never guess a clock).
- Player names come from replays and are untrusted: they are returned as data (length
  capped, control characters dropped), never formatted into instructions.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict
from typing import Any

from rlcoach.config import Identity
from rlcoach.errors import LibraryError
from rlcoach.library import queries as q
from rlcoach.library.db import Library
from rlcoach.library.filters import GameFilter

EVENT_KINDS = ("goals", "demolitions", "kickoffs", "touches", "boost_pickups")
COACHING_KINDS = ("kickoffs", "fifty_fifties", "shots", "mechanics", "goals_conceded",
                  "passes", "turnovers", "dribbles")
POSSESSION_KINDS = ("passes", "turnovers", "dribbles")  # inside coaching["possession"]
MAX_EVENTS = 40
# Windows are capped so every tool answers in < 200 ms on a 2,000-game library
# (benchmarks/bench_coach_tools.py); the lobby reads every player's rows, so less.
MAX_WINDOW = 500
MAX_LOBBY_WINDOW = 200


def rnd(value: Any) -> Any:
    """Round floats (also inside lists and dicts) to 2 decimals."""
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, dict):
        return {k: rnd(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rnd(v) for v in value]
    return value


def clean_name(name: Any) -> str:
    text = "".join(ch for ch in str(name or "") if ch.isprintable())
    return text[:32]


def game_filter(args: dict[str, Any]) -> GameFilter:
    playlist = args.get("playlist")
    return GameFilter(
        playlist=tuple(playlist) if isinstance(playlist, list) else playlist,
        since=args.get("since"), until=args.get("until"), result=args.get("result"),
        teammate=args.get("teammate"), text=args.get("text"),
    )


def resolve_game(library: Library, ref: Any, identity: Identity | None) -> int:
    """A library id from an int, a numeric string, or "latest"."""
    if ref in (None, "latest"):
        rows = q.recent_games(library, limit=1, stats=(), identity=identity)
        if not rows:
            raise LibraryError("the library is empty", hint="Run `rlcoach ingest` first.")
        return rows[0].game_id
    try:
        return int(ref)
    except (TypeError, ValueError):
        raise LibraryError(f"game must be a library id or 'latest', not {ref!r}") from None


def _game_line(row: q.GameRow) -> dict[str, Any]:
    score = (f"{row.my_score}-{row.their_score}" if row.my_team
             else f"{row.score['blue']}-{row.score['orange']}")
    return rnd({
        "game": row.game_id, "date": row.played_at.isoformat(timespec="minutes"),
        "playlist": row.playlist, "map": row.map_name, "result": row.result, "score": score,
        "overtime": row.overtime, "duration_s": row.duration,
        "teammates": [clean_name(n) for n in row.teammates],
        "opponents": [clean_name(n) for n in row.opponents],
        "my_stats": row.my_stats,
    })


def find_games(library: Library, args: dict[str, Any], identity: Identity | None) -> dict:
    last = max(1, min(int(args.get("last", 10)), 50))
    rows = q.recent_games(library, filters=game_filter(args), limit=last,
                          sort=args.get("sort", "date"), identity=identity,
                          stats=("core.score", "core.goals", "core.saves", "boost.bpm"))
    total = q.count_games(library, filters=game_filter(args), identity=identity)
    return {"matching": total, "shown": len(rows), "games": [_game_line(r) for r in rows]}


def _names(report: dict[str, Any]) -> dict[str, str]:
    return {p.get("key", ""): clean_name(p.get("name")) for p in report.get("players", [])}


def _event(game_id: int, kind: str, ev: dict[str, Any], names: dict[str, str]) -> dict:
    out: dict[str, Any] = {"game": game_id, "kind": kind, "time": ev.get("time"),
                           "clock": ev.get("clock")}
    for key, value in ev.items():
        if key in ("time", "clock", "frame", "header_frame"):
            continue
        if isinstance(value, str) and value in names:
            value = names[value]
        elif key == "players" and isinstance(value, list):
            value = [{**p, "player": names.get(str(p.get("player")), p.get("player"))}
                     if isinstance(p, dict) else names.get(p, p) for p in value]
        out[key] = value
    return rnd(out)


def game_summary(library: Library, args: dict[str, Any], identity: Identity | None) -> dict:
    game_id = resolve_game(library, args.get("game"), identity)
    detail = q.game_detail(library, game_id, identity=identity)
    names = _names(detail.report)
    key_stats = set(q.KEY_STATS)
    players = [{
        "name": clean_name(p.name), "team": p.team, "me": p.is_me, "bot": p.is_bot,
        "stats": {k: v for k, v in p.stats.items() if k in key_stats},
    } for p in detail.players]
    events = detail.report.get("events", {})
    goals = [_event(game_id, "goal", g, names) for g in events.get("goals", [])]
    demos = [_event(game_id, "demolition", d, names) for d in events.get("demolitions", [])]
    notable = [asdict(n) for n in q.notable_stats(library, game_id, n=4, identity=identity)]
    coaching = detail.report.get("coaching") or {}
    quality = detail.report.get("quality", {})
    return rnd({
        **_game_line(detail.game), "players": players, "goals": goals,
        "demolitions": demos[:MAX_EVENTS], "notable_vs_my_recent_games": notable,
        "coaching_available": sorted(k for k, v in coaching.items() if v),
        "insights": [{k: i.get(k) for k in ("claim", "metric", "value", "moments")}
                     for i in detail.report.get("insights", [])][:5],
        "data_quality": {"degraded": quality.get("degraded", False),
                         "warnings": quality.get("warnings", [])[:5]},
    })


def game_events(library: Library, args: dict[str, Any], identity: Identity | None) -> dict:
    game_id = resolve_game(library, args.get("game"), identity)
    kind = args.get("kind", "goals")
    report = q.game_report(library, game_id)
    names = _names(report)
    if kind in EVENT_KINDS:
        raw = report.get("events", {}).get(kind, [])
    elif kind in COACHING_KINDS:
        coaching = report.get("coaching") or {}
        holder = coaching.get("possession") or {} if kind in POSSESSION_KINDS else coaching
        raw = holder.get(kind) if isinstance(holder, dict) else None
        if raw is None:
            return {"game": game_id, "kind": kind, "available": False,
                    "why": "this game's report has no coaching analysis of that kind "
                           "(older analysis: `rlcoach ingest --reanalyze` adds it)"}
    else:
        raise LibraryError(f"unknown event kind {kind!r}",
                           hint=f"One of: {', '.join(EVENT_KINDS + COACHING_KINDS)}.")
    events = [_event(game_id, kind, e, names) for e in raw]
    player = args.get("player")
    if player:
        needle = str(player).lower()
        events = [e for e in events if needle in str(e).lower()]
    return {"game": game_id, "kind": kind, "count": len(events),
            "events": events[:MAX_EVENTS], "truncated": len(events) > MAX_EVENTS}


def _window(args: dict[str, Any], cap: int = MAX_WINDOW) -> int:
    return max(1, min(int(args.get("last", 50)), cap))


def _spread(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0, "mean": None}
    return rnd({"n": len(values), "mean": statistics.fmean(values),
                "sd": statistics.pstdev(values), "min": min(values), "max": max(values),
                "median": statistics.median(values)})


def metric_summary(library: Library, args: dict[str, Any], identity: Identity | None) -> dict:
    metrics = _metric_list(args)
    series = q.trends(library, metrics, last=_window(args), filters=game_filter(args),
                      identity=identity)
    return {"window_games": _window(args), "metrics": [
        {"metric": s.metric, "label": s.label, "unit": s.unit, "direction": s.direction,
         **_spread([p.value for p in s.points])} for s in series]}


def metric_trend(library: Library, args: dict[str, Any], identity: Identity | None) -> dict:
    window = max(1, min(int(args.get("window", 10)), 50))
    series = q.trends(library, _metric_list(args), last=_window(args), window=window,
                      filters=game_filter(args), identity=identity)
    out = []
    for s in series:
        pts = s.points
        half = len(pts) // 2
        first, second = [p.value for p in pts[:half]], [p.value for p in pts[half:]]
        out.append(rnd({
            "metric": s.metric, "label": s.label, "unit": s.unit, "direction": s.direction,
            "games": len(pts), "average": s.average, "rolling_window": window,
            "rolling_latest": pts[-1].rolling if pts else None,
            "first_half_mean": statistics.fmean(first) if first else None,
            "second_half_mean": statistics.fmean(second) if second else None,
            "last_games": [{"game": p.game_id, "value": p.value, "result": p.result}
                           for p in pts[-10:]],
        }))
    return {"series": out}


def win_loss_split(library: Library, args: dict[str, Any], identity: Identity | None) -> dict:
    series = q.trends(library, _metric_list(args), last=_window(args),
                      filters=game_filter(args), identity=identity)
    out = []
    for s in series:
        wins = [p.value for p in s.points if p.result == "win"]
        losses = [p.value for p in s.points if p.result == "loss"]
        out.append({"metric": s.metric, "label": s.label, "unit": s.unit,
                    "direction": s.direction, "wins": _spread(wins), "losses": _spread(losses),
                    "difference": rnd(s.average_wins - s.average_losses)
                    if s.average_wins is not None and s.average_losses is not None else None})
    return {"window_games": _window(args), "metrics": out}


def compare_lobby(library: Library, args: dict[str, Any], identity: Identity | None) -> dict:
    last = _window(args, MAX_LOBBY_WINDOW)
    stats = q.lobby_comparison(library, _metric_list(args, default=q.KEY_STATS),
                               last=last, filters=game_filter(args), identity=identity)
    return {"window_games": last, "comparison": [rnd(asdict(s)) for s in stats],
            "note": "means over the same games; lobby = teammates and opponents, bots excluded"}


def metric_definitions(args: dict[str, Any]) -> dict:
    from rlcoach.report.registry import METRICS

    names = args.get("metrics") or []
    search = str(args.get("search") or "").lower()
    chosen = [q.resolve_metric(n) for n in names] if names else [
        m for m in METRICS if not search or search in f"{m.qualified} {m.label}".lower()]
    return {"metrics": [{"metric": m.qualified, "label": m.label, "unit": m.unit,
                         "direction": m.direction, "definition": m.definition}
                        for m in chosen[:40]], "total": len(chosen)}


def _metric_list(args: dict[str, Any], default: tuple[str, ...] = ()) -> list[str]:
    metrics = args.get("metrics") or ([args["metric"]] if args.get("metric") else list(default))
    if not metrics:
        raise LibraryError("name at least one metric", hint="e.g. boost.bpm; "
                           "metric_definitions lists them.")
    return [q.resolve_metric(str(m)).qualified for m in metrics[:8]]


def game_for_path(library: Library, path: Any) -> int:
    """The library id of a replay file, ingesting it first when it is new."""
    from pathlib import Path

    from sqlalchemy import select

    from rlcoach.library import ingest
    from rlcoach.library.schema import files

    target = Path(path).expanduser().resolve()
    if not target.is_file():
        raise LibraryError(f"no replay at {target}")

    def lookup() -> int | None:
        with library.connect() as conn:
            return conn.execute(select(files.c.game_id).where(
                files.c.path == str(target))).scalar_one_or_none()

    found = lookup()
    if found is None:
        ingest.ingest(library, [target])
        found = lookup()
    if found is None:
        raise LibraryError(f"{target} could not be analyzed",
                           hint="`rlcoach analyze` on it shows why.")
    return int(found)
