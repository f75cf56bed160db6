"""Read-side API of the library, for the CLI and the dashboard.

Plain functions over a ``Library`` returning dataclasses (no UI imports).
Every function takes an optional ``identity``; by default "me" comes from
rlcoach.toml at call time, so editing ``[identity]`` needs no re-ingest.

Functions (all take ``library`` first):

* ``recent_games(filters=, limit=, offset=, sort=, descending=, stats=)``
  -> ``list[GameRow]``: games with the user's result and key stats.
* ``game_row(game_id)`` -> ``GameRow``; ``count_games(filters=)`` -> ``int``
* ``ensure_not_empty()``: raises ``EmptyLibraryError`` (with a hint).
* ``game_detail(game_id)`` -> ``GameDetail``: the row, every player's stats,
  the stored report (``report["players"][i].get("heatmap")`` when the
  analysis provides one) and the files it came from.
* ``game_report(game_id)`` -> ``dict``: the stored report v1.
* ``trends(metrics, last=, filters=, window=)`` -> ``list[TrendSeries]``:
  per-game values (oldest first), rolling average, wins vs losses.
* ``sessions(filters=, gap_minutes=, limit=)`` / ``current_session()``
  -> ``SessionSummary``: runs of games less than ``session_gap_minutes`` apart.
* ``win_rate(filters=, last=)`` -> ``WinRate``; ``form(last=)`` -> "WLW..."
* ``lobby_comparison(metrics=, last=, filters=)`` -> ``list[LobbyStat]``:
  the user vs their teammates and opponents, averaged per metric.
* ``notable_stats(game_id, n=, baseline=)`` -> ``list[Notable]``: the
  user's stats that stand out against their own recent average.
* ``playlists()``, ``library_stats()``, ``failed_files()``,
  ``suggest_identity()``; ``resolve_metric(name)`` (no library).

Filters are a ``GameFilter`` (playlist, since/until, result, teammate, text,
mine_only). Unknown metric names raise ``UnknownMetricError``.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import desc, func, nulls_last, select

from rlcoach.config import Identity
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
from rlcoach.library.lobby import lobby_comparison, win_rate
from rlcoach.library.overview import (
    FileRecord,
    LibraryStats,
    failed_files,
    file_record,
    library_stats,
    playlists,
    suggest_identity,
)
from rlcoach.library.schema import files, games, metric_values, players, reports
from rlcoach.library.stats import (
    KEY_STATS,
    LobbyStat,
    Notable,
    SessionSummary,
    TrendPoint,
    TrendSeries,
    UnknownMetricError,
    WinRate,
    current_session,
    form,
    grows_with_time,
    notable_stats,
    resolve_metric,
    sessions,
    trends,
)

__all__ = [
    "KEY_STATS",
    "EmptyLibraryError",
    "FileRecord",
    "GameDetail",
    "GameFilter",
    "GameRow",
    "LibraryStats",
    "LobbyStat",
    "Notable",
    "PlayerLine",
    "SessionSummary",
    "TrendPoint",
    "TrendSeries",
    "UnknownMetricError",
    "WinRate",
    "count_games",
    "current_session",
    "ensure_not_empty",
    "failed_files",
    "form",
    "game_detail",
    "game_report",
    "game_row",
    "grows_with_time",
    "library_stats",
    "lobby_comparison",
    "notable_stats",
    "playlists",
    "recent_games",
    "resolve_metric",
    "sessions",
    "suggest_identity",
    "trends",
    "win_rate",
]

class EmptyLibraryError(LibraryError):
    """No games yet: the CLI tells the user to ingest."""


SORTS = ("date", "playlist", "map", "duration", "result")


@dataclass(frozen=True)
class PlayerLine:
    name: str
    team: str
    platform: str | None
    player_id: str | None
    is_bot: bool
    is_me: bool
    stats: dict[str, float] = field(default_factory=dict)  # qualified metric -> value


@dataclass(frozen=True)
class GameRow:
    game_id: int
    played_at: datetime
    playlist: str | None
    playlist_name: str | None
    map_name: str | None
    team_size: int | None
    duration: float | None
    overtime: bool
    score: dict[str, int]  # {"blue": 4, "orange": 1}
    winner: str | None
    my_team: str | None  # None: the user is not in this game (or no identity)
    result: str | None  # "win" | "loss" | None
    my_name: str | None
    teammates: list[str]
    opponents: list[str]
    my_stats: dict[str, float]  # qualified metric -> value (those asked for)

    @property
    def my_score(self) -> int | None:
        return None if self.my_team is None else self.score[self.my_team]

    @property
    def their_score(self) -> int | None:
        if self.my_team is None:
            return None
        return self.score["orange" if self.my_team == "blue" else "blue"]


@dataclass(frozen=True)
class GameDetail:
    game: GameRow
    players: list[PlayerLine]
    report: dict[str, Any]
    files: list[FileRecord]


def recent_games(
    library: Library, *, filters: GameFilter | None = None, limit: int | None = 20,
    offset: int = 0, sort: str = "date", descending: bool = True,
    stats: Sequence[str] = KEY_STATS, identity: Identity | None = None,
) -> list[GameRow]:
    """Games newest first (or by ``sort``: one of SORTS or a metric name)."""
    me = my_rows(me_condition(library, resolve_identity(identity)))
    query = apply_filter(base_games(me), me, filters)
    query = query.order_by(*_order(me, sort, descending, library), desc(games.c.id))
    query = query.limit(limit).offset(offset) if limit is not None else query.offset(offset)
    wanted = [resolve_metric(s).qualified for s in stats]
    with library.connect() as conn:
        rows = conn.execute(query).mappings().all()
        values = _values(library, conn, [r["my_row"] for r in rows if r["my_row"]], wanted)
        rosters = _rosters(conn, [r["id"] for r in rows])
    return [_game_row(r, values.get(r["my_row"], {}), rosters.get(r["id"], [])) for r in rows]


def game_row(library: Library, game_id: int, *, stats: Sequence[str] = KEY_STATS,
             identity: Identity | None = None) -> GameRow:
    """One game as ``recent_games`` shows it."""
    me = my_rows(me_condition(library, resolve_identity(identity)))
    wanted = [resolve_metric(s).qualified for s in stats]
    with library.connect() as conn:
        row = conn.execute(base_games(me).where(games.c.id == game_id)).mappings().first()
        if row is None:
            raise _no_game(game_id)
        values = _values(library, conn, [row["my_row"]] if row["my_row"] else [], wanted)
        rosters = _rosters(conn, [game_id])
    return _game_row(row, values.get(row["my_row"], {}), rosters.get(game_id, []))


def ensure_not_empty(library: Library) -> None:
    """Raise ``EmptyLibraryError`` (with what to do) when there are no games."""
    with library.connect() as conn:
        if conn.execute(select(games.c.id).limit(1)).first() is None:
            raise EmptyLibraryError(
                f"the library is empty ({library.path})",
                hint="Run `rlcoach ingest` (your Demos folder) or "
                     "`rlcoach ingest path/to/replays` first.",
            )


def count_games(library: Library, *, filters: GameFilter | None = None,
                identity: Identity | None = None) -> int:
    me = my_rows(me_condition(library, resolve_identity(identity)))
    query = apply_filter(base_games(me), me, filters).subquery()
    with library.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(query)).scalar_one())


def game_report(library: Library, game_id: int) -> dict[str, Any]:
    with library.connect() as conn:
        row = conn.execute(
            select(reports.c.encoding, reports.c.data).where(reports.c.game_id == game_id)
        ).first()
    if row is None:
        raise _no_game(game_id)
    return decode_report(row.encoding, row.data)


def game_detail(library: Library, game_id: int, *,
                identity: Identity | None = None) -> GameDetail:
    report = game_report(library, game_id)
    me = my_rows(me_condition(library, resolve_identity(identity)))
    query = base_games(me).where(games.c.id == game_id)
    every = [m.qualified for m in _all_metrics()]
    with library.connect() as conn:
        row = conn.execute(query).mappings().one()
        rosters = _rosters(conn, [game_id])
        lines = rosters.get(game_id, [])
        values = _values(library, conn, [line["id"] for line in lines], every)
        file_rows = conn.execute(select(files).where(files.c.game_id == game_id)).mappings()
        file_records = [file_record(f) for f in file_rows]
    my_values = values.get(row["my_row"], {}) if row["my_row"] else {}
    detail_players = [
        PlayerLine(name=p["name"], team=p["team"], platform=p["platform"],
                   player_id=p["player_id"], is_bot=bool(p["is_bot"]),
                   is_me=p["id"] == row["my_row"], stats=values.get(p["id"], {}))
        for p in lines
    ]
    game = _game_row(row, {k: my_values[k] for k in KEY_STATS if k in my_values}, lines)
    return GameDetail(game=game, players=detail_players, report=report, files=file_records)


# -- helpers ---------------------------------------------------------------


def _no_game(game_id: int) -> LibraryError:
    return LibraryError(f"no game {game_id} in the library",
                        hint="`rlcoach games` lists the games and their ids.")


def decode_report(encoding: str, data: bytes) -> dict[str, Any]:
    if encoding != "zlib-json":
        raise LibraryError(f"stored report has unknown encoding {encoding!r}",
                           hint="Upgrade rlcoach.")
    return json.loads(zlib.decompress(data))


def _all_metrics():
    from rlcoach.report.registry import METRICS

    return METRICS


def _order(me, sort: str, descending: bool, library: Library) -> list[Any]:
    columns = {
        "date": games.c.played_at, "playlist": games.c.playlist, "map": games.c.map_name,
        "duration": games.c.duration, "result": base_games(me).selected_columns.result,
    }
    if sort in columns:
        column = columns[sort]
    else:
        metric_id = library.metric_ids()[resolve_metric(sort).qualified]
        column = (
            select(metric_values.c.value)
            .where(metric_values.c.player_row == me.c.player_row,
                   metric_values.c.metric_id == metric_id)
            .scalar_subquery()
        )
    return [nulls_last(desc(column) if descending else column.asc())]


def _values(library: Library, conn: Any, rows: list[int],
            wanted: Sequence[str]) -> dict[int, dict[str, float]]:
    """player_row -> {qualified metric: value} for the wanted metrics."""
    if not rows or not wanted:
        return {}
    ids = library.metric_ids()
    names = {ids[w]: w for w in wanted}
    out: dict[int, dict[str, float]] = {}
    result = conn.execute(
        select(metric_values.c.player_row, metric_values.c.metric_id, metric_values.c.value)
        .where(metric_values.c.player_row.in_(rows), metric_values.c.metric_id.in_(names))
    )
    for row, metric_id, value in result:
        out.setdefault(row, {})[names[metric_id]] = value
    return out


def _rosters(conn: Any, game_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    if not game_ids:
        return {}
    out: dict[int, list[dict[str, Any]]] = {}
    rows = conn.execute(
        select(players).where(players.c.game_id.in_(game_ids)).order_by(players.c.id)
    ).mappings()
    for r in rows:
        out.setdefault(r["game_id"], []).append(dict(r))
    return out


def _game_row(row: Any, my_stats: dict[str, float], roster: list[dict[str, Any]]) -> GameRow:
    my_team = row["my_team"]
    others = [p for p in roster if p["id"] != row["my_row"]]
    me = next((p for p in roster if p["id"] == row["my_row"]), None)
    return GameRow(
        game_id=row["id"], played_at=_dt(row["played_at"]) or datetime.min,
        playlist=row["playlist"], playlist_name=row["playlist_name"], map_name=row["map_name"],
        team_size=row["team_size"], duration=row["duration"], overtime=bool(row["overtime"]),
        score={"blue": row["blue_score"] or 0, "orange": row["orange_score"] or 0},
        winner=row["winner"], my_team=my_team, result=row["result"],
        my_name=me["name"] if me else None,
        teammates=[p["name"] for p in others if my_team and p["team"] == my_team],
        opponents=[p["name"] for p in others if my_team and p["team"] != my_team],
        my_stats=my_stats,
    )


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
