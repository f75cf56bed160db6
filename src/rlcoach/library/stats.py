"""Aggregates over the user's games: trends, sessions, form, notables.

Re-exported by ``rlcoach.library.queries`` (the public read API). The SQL
here only fetches (game, value) pairs for the user's rows; averages,
rolling windows and session splitting are done in Python over at most a few
thousand numbers, which is simpler than window functions and fast enough.
Win counts and lobby means, which the dashboard asks for on every load, are
summed by SQLite instead: see ``library.lobby``.
"""

from __future__ import annotations

import difflib
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from rlcoach.config import Identity, load_config
from rlcoach.errors import LibraryError
from rlcoach.library.db import Library
from rlcoach.library.filters import (
    GameFilter,
    apply_filter,
    base_games,
    me_condition,
    my_rows,
    resolve_identity,
)
from rlcoach.library.schema import games, metric_values
from rlcoach.report.registry import BY_QUALIFIED, METRICS, Metric, metric

# The stats shown beside each game and compared in the lobby by default.
KEY_STATS: tuple[str, ...] = (
    "core.score", "core.goals", "core.assists", "core.saves", "core.shots",
    "boost.bpm", "boost.avg_amount", "movement.avg_speed",
    "movement.percent_supersonic_speed", "positioning.percent_behind_ball",
    "demo.inflicted",
)


class UnknownMetricError(LibraryError):
    """A metric name that is not in the registry (or is ambiguous)."""


@dataclass(frozen=True)
class TrendPoint:
    game_id: int
    played_at: datetime
    value: float
    rolling: float  # mean of the last ``window`` values up to this game
    result: str | None
    duration: float | None = None  # seconds, from the header (sessions: end to next start)


@dataclass(frozen=True)
class TrendSeries:
    metric: str  # qualified name
    label: str
    unit: str
    direction: str
    points: list[TrendPoint]  # oldest first
    average: float | None
    average_wins: float | None
    average_losses: float | None


@dataclass(frozen=True)
class SessionSummary:
    start: datetime
    end: datetime
    game_ids: list[int]  # oldest first
    wins: int
    losses: int
    active: bool  # the last game ended less than the session gap ago

    @property
    def games(self) -> int:
        return len(self.game_ids)


@dataclass(frozen=True)
class WinRate:
    games: int
    wins: int
    losses: int

    @property
    def rate(self) -> float | None:
        decided = self.wins + self.losses
        return self.wins / decided if decided else None


@dataclass(frozen=True)
class LobbyStat:
    metric: str
    label: str
    unit: str
    direction: str
    me: float | None
    teammates: float | None
    opponents: float | None
    lobby: float | None  # everyone else in those games (bots excluded)
    games: int


@dataclass(frozen=True)
class Notable:
    metric: str
    label: str
    unit: str
    value: float
    average: float  # the user's mean over the baseline games
    delta: float  # value - average
    z: float  # delta in standard deviations
    better: bool | None  # by the metric's direction; None when neutral
    per_minute: bool = False  # value and average are per minute of play (a per-game total)


def grows_with_time(m: Metric) -> bool:
    """A per-game total (goals, boost collected, seconds somewhere): it grows with
    match length, so games are compared on it per minute, not per game."""
    if m.unit in ("count", "points"):
        return True
    if m.unit == "boost":
        return not m.key.startswith("avg")
    if m.unit == "s":
        return m.key.startswith("time_") or m.key.endswith("_time")
    return m.unit == "uu" and m.key.startswith("total")


def resolve_metric(name: str) -> Metric:
    """A registry metric by ``group.key`` or unambiguous key."""
    try:
        return metric(name)
    except KeyError as exc:
        detail = str(exc.args[0])
        if "ambiguous" in detail:
            raise UnknownMetricError(f"metric '{name}' is ambiguous",
                                     hint=f"Use one of: {detail.split(': ', 1)[1]}.") from None
        names = [m.qualified for m in METRICS] + [m.key for m in METRICS]
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
        hint = f"Did you mean {', '.join(close)}?" if close else \
            "Names are group.key from the metric registry, e.g. boost.bpm or movement.avg_speed."
        raise UnknownMetricError(f"unknown metric '{name}'", hint=hint) from None


def _my_games(library: Library, identity: Identity | None, filters: GameFilter | None,
              last: int | None) -> list[dict[str, Any]]:
    """The user's games, oldest first (the last ``last`` of them)."""
    ident = resolve_identity(identity)
    me = my_rows(me_condition(library, ident))
    flt = filters or GameFilter()
    query = apply_filter(base_games(me), me, flt).where(me.c.player_row.is_not(None))
    query = query.order_by(games.c.played_at.desc(), games.c.id.desc())
    if last is not None:
        query = query.limit(last)
    with library.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    if not rows and ident.is_empty:
        raise LibraryError(
            "rlcoach does not know which player you are",
            hint="Add your name or platform id to [identity] in rlcoach.toml "
                 "(`rlcoach games` shows who is in your games).",
        )
    rows.reverse()
    return rows


def trends(library: Library, metrics: Sequence[str], *, last: int | None = 50,
           filters: GameFilter | None = None, window: int = 10,
           identity: Identity | None = None) -> list[TrendSeries]:
    """Per-game values of ``metrics`` for the user, oldest first."""
    wanted = [resolve_metric(m) for m in metrics]
    rows = _my_games(library, identity, filters, last)
    ids = library.metric_ids()
    by_row = {r["my_row"]: r for r in rows}
    values: dict[str, dict[int, float]] = {m.qualified: {} for m in wanted}
    names = {ids[m.qualified]: m.qualified for m in wanted}
    with library.connect() as conn:
        for chunk in _chunks(list(by_row), 500):
            for row, metric_id, value in conn.execute(
                select(metric_values.c.player_row, metric_values.c.metric_id,
                       metric_values.c.value)
                .where(metric_values.c.player_row.in_(chunk),
                       metric_values.c.metric_id.in_(names))
            ):
                values[names[metric_id]][row] = value
    series = []
    for m in wanted:
        points: list[TrendPoint] = []
        recent: list[float] = []
        for r in rows:
            value = values[m.qualified].get(r["my_row"])
            if value is None:
                continue  # a stat the analysis could not compute for that game
            recent = [*recent[-(window - 1):], value] if window > 1 else [value]
            points.append(TrendPoint(r["id"], datetime.fromisoformat(r["played_at"]), value,
                                     statistics.fmean(recent), r["result"], r["duration"]))
        series.append(TrendSeries(
            metric=m.qualified, label=m.label, unit=m.unit, direction=m.direction,
            points=points, average=_mean(p.value for p in points),
            average_wins=_mean(p.value for p in points if p.result == "win"),
            average_losses=_mean(p.value for p in points if p.result == "loss"),
        ))
    return series


def sessions(library: Library, *, filters: GameFilter | None = None,
             gap_minutes: float | None = None, limit: int | None = None,
             identity: Identity | None = None,
             now: datetime | None = None) -> list[SessionSummary]:
    """Runs of the user's games less than the gap apart, newest first."""
    gap = timedelta(minutes=gap_minutes if gap_minutes is not None
                    else load_config().library.session_gap_minutes)
    out: list[SessionSummary] = []
    current: list[dict[str, Any]] = []

    def close() -> None:
        start = datetime.fromisoformat(current[0]["played_at"])
        # A game's row time is its start; its end adds the recorded duration.
        end = datetime.fromisoformat(current[-1]["played_at"]) + \
            timedelta(seconds=current[-1]["duration"] or 0)
        out.append(SessionSummary(
            start=start, end=end, game_ids=[g["id"] for g in current],
            wins=sum(g["result"] == "win" for g in current),
            losses=sum(g["result"] == "loss" for g in current),
            active=(now or datetime.now()) - end < gap,
        ))

    for game in _my_games(library, identity, filters, None):
        if current:
            prev = current[-1]
            prev_end = datetime.fromisoformat(prev["played_at"]) + \
                timedelta(seconds=prev["duration"] or 0)
            if datetime.fromisoformat(game["played_at"]) - prev_end >= gap:
                close()
                current = []
        current.append(game)
    if current:
        close()
    out.reverse()
    return out[:limit] if limit is not None else out


def current_session(library: Library, **kwargs: Any) -> SessionSummary | None:
    """The newest session (``active`` says whether it is still going)."""
    found = sessions(library, limit=1, **kwargs)
    return found[0] if found else None


def form(library: Library, *, last: int = 10, filters: GameFilter | None = None,
         identity: Identity | None = None) -> str:
    """Recent results newest first: "W", "L", or "-" (no winner recorded)."""
    rows = _my_games(library, identity, filters, last)
    marks = {"win": "W", "loss": "L"}
    return "".join(marks.get(r["result"], "-") for r in reversed(rows))


def notable_stats(library: Library, game_id: int, *, n: int = 3, baseline: int = 20,
                  identity: Identity | None = None) -> list[Notable]:
    """The user's ``n`` stats in this game furthest from their recent mean.

    The baseline is the user's ``baseline`` games before this one in the
    same playlist (duel and standard numbers differ a lot: never pooled).
    Per-game totals (``grows_with_time``) are compared per minute of the
    game's duration, so a long overtime does not "stand out" for the boost
    it collected. Only metrics with a direction count: a neutral metric
    being unusual says nothing about how the game went.
    """
    ident = resolve_identity(identity)
    me = my_rows(me_condition(library, ident))
    with library.connect() as conn:
        this = conn.execute(base_games(me).where(games.c.id == game_id)).mappings().first()
    if this is None or this["my_row"] is None:
        return []
    before = GameFilter(until=datetime.fromisoformat(this["played_at"]) - timedelta(seconds=1))
    same = GameFilter(playlist=this["playlist"], until=before.until) if this["playlist"] else before
    history = _my_games(library, ident, same, baseline)
    candidates = [m for m in METRICS if m.direction != "neutral" and m.unit != "bool"]
    ids = library.metric_ids()
    rows = [this["my_row"], *(h["my_row"] for h in history)]
    per: dict[tuple[int, int], float] = {}
    with library.connect() as conn:
        for chunk in _chunks(rows, 500):
            for prow, mid, value in conn.execute(
                select(metric_values.c.player_row, metric_values.c.metric_id,
                       metric_values.c.value).where(metric_values.c.player_row.in_(chunk))
            ):
                per[(prow, mid)] = value
    played: list[Any] = [this, *history]
    minutes = {r["my_row"]: (r["duration"] or 0) / 60 for r in played}

    def rate(row: int, mid: int, total: bool) -> float | None:
        v = per.get((row, mid))
        if v is None or not total:
            return v
        return v / minutes[row] if minutes[row] > 0 else None

    found = []
    for m in candidates:
        mid, total = ids[m.qualified], grows_with_time(m)
        value = rate(this["my_row"], mid, total)
        past = [v for h in history if (v := rate(h["my_row"], mid, total)) is not None]
        if value is None or len(past) < 3:
            continue
        mean = statistics.fmean(past)
        # pstdev in floats: statistics.pstdev is exact (Fractions), 50x slower,
        # and this runs for every metric of every game opened.
        spread = math.sqrt(statistics.fmean([(v - mean) ** 2 for v in past]))
        if spread <= 1e-9:
            continue
        z = (value - mean) / spread
        better = None if m.direction == "neutral" else (z > 0) == (m.direction == "higher")
        found.append(Notable(m.qualified, m.label, m.unit, value, mean, value - mean, z, better,
                             per_minute=total))
    found.sort(key=lambda x: abs(x.z), reverse=True)
    return found[:n]


def metric_for(qualified: str) -> Metric:
    return BY_QUALIFIED[qualified]


def _mean(values: Any) -> float | None:
    values = list(values)
    return statistics.fmean(values) if values else None


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]

