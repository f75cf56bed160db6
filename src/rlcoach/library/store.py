"""Writing to the library: one report in, one game (or a duplicate) out.

Every write is one transaction covering the game, its players, their
metric values, the compressed report and the ``files`` row, so an ingest
interrupted at any point leaves only whole games behind and the next run
resumes where it stopped.

A game is a match: ``match_key`` (MatchGUID, else the header Id, else the
file's sha256) is UNIQUE. The second teammate's file of a match becomes a
``duplicate`` file row pointing at the existing game.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rlcoach.library.db import Library
from rlcoach.library.schema import files, games, metric_values, players, reports
from rlcoach.report.registry import METRICS

REPORT_ENCODING = "zlib-json"


@dataclass(frozen=True)
class FileInfo:
    """What we know about a file on disk before analyzing it."""

    path: str  # absolute, as given to ``files.path``
    size: int
    mtime: float
    sha256: str | None = None

    @classmethod
    def of(cls, path: Path, sha256: str | None = None) -> FileInfo:
        st = path.stat()
        return cls(str(path.resolve()), st.st_size, st.st_mtime, sha256)


@dataclass(frozen=True)
class KnownFile:
    size: int
    mtime: float
    sha256: str | None
    status: str
    game_id: int | None
    error_kind: str | None = None
    error: str | None = None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def known_files(library: Library) -> dict[str, KnownFile]:
    """Every file seen before, by path (one query: re-ingest must be fast)."""
    with library.connect() as conn:
        rows = conn.execute(select(files.c.path, files.c.size, files.c.mtime, files.c.sha256,
                                   files.c.status, files.c.game_id, files.c.error_kind,
                                   files.c.error))
        return {r.path: KnownFile(r.size, r.mtime, r.sha256, r.status, r.game_id,
                                  r.error_kind, r.error) for r in rows}


def by_hash(by_path: dict[str, KnownFile]) -> dict[str, KnownFile]:
    """Files by sha256; an ``ok`` row wins over duplicates and failures."""
    rank = {"ok": 0, "duplicate": 1, "failed": 2}
    out: dict[str, KnownFile] = {}
    for known in by_path.values():
        if known.sha256 and (
            known.sha256 not in out or rank[known.status] < rank[out[known.sha256].status]
        ):
            out[known.sha256] = known
    return out


def match_key(report: dict[str, Any], sha256: str | None) -> str:
    replay = report.get("replay", {})
    for field, prefix in (("match_guid", "guid"), ("replay_id", "id"), ("sha256", "sha")):
        if value := replay.get(field):
            return f"{prefix}:{str(value).upper()}"
    if sha256:
        return f"sha:{sha256.upper()}"
    raise ValueError("report has neither match_guid, replay_id nor sha256")


def add_report(library: Library, report: dict[str, Any], info: FileInfo) -> tuple[str, int]:
    """Store a report; returns ("ok" | "duplicate", game_id)."""
    ids = library.metric_ids()
    key = match_key(report, info.sha256)
    with library.write() as conn:
        existing = conn.execute(select(games.c.id).where(games.c.match_key == key)).scalar()
        if existing is not None:
            # This very file already stored the game (another ingest got there
            # first): it stays the game's file, not a duplicate of itself.
            status = "ok" if _stored_by(conn, info, existing) else "duplicate"
            _record_file(conn, info, status, game_id=existing)
            return status, existing
        game_id = _insert_game(conn, report, key, info, ids)
        _record_file(conn, info, "ok", game_id=game_id)
        return "ok", game_id


def record_file(library: Library, info: FileInfo, status: str, game_id: int | None) -> None:
    """A file settled without analysis: ``duplicate`` (bytes stored under
    another path) or ``ok`` (the same path rewritten with the same bytes)."""
    with library.write() as conn:
        _record_file(conn, info, status, game_id=game_id)


def record_failure(library: Library, info: FileInfo, kind: str, message: str) -> None:
    with library.write() as conn:
        _record_file(conn, info, "failed", error_kind=kind, error=message)


def encode_report(report: dict[str, Any]) -> bytes:
    return zlib.compress(json.dumps(report, separators=(",", ":")).encode(), 6)


def played_at(report: dict[str, Any], info: FileInfo) -> str:
    """The header date as ISO text; the file's mtime if the header has none.

    The pipeline normalizes to ISO, but old replays wrote
    ``2016-08-07:11-27`` or ``2017-03-22 17-22-50``; accept those too.
    """
    raw = (report.get("replay", {}).get("date") or "").strip()
    for parse in (
        datetime.fromisoformat,
        lambda s: datetime.strptime(s, "%Y-%m-%d %H-%M-%S"),
        lambda s: datetime.strptime(s, "%Y-%m-%d:%H-%M"),
    ):
        try:
            return parse(raw).replace(microsecond=0, tzinfo=None).isoformat()
        except (ValueError, TypeError):
            continue
    return datetime.fromtimestamp(info.mtime).replace(microsecond=0).isoformat()


def _insert_game(conn: Connection, report: dict[str, Any], key: str, info: FileInfo,
                 ids: dict[str, int]) -> int:
    replay = report.get("replay", {})
    score = replay.get("score") or {}
    generator = report.get("generator") or {}
    game_id = conn.execute(insert(games).values(
        match_key=key, match_guid=replay.get("match_guid"), replay_id=replay.get("replay_id"),
        played_at=played_at(report, info), playlist=replay.get("playlist"),
        playlist_name=replay.get("playlist_name"), match_type=replay.get("match_type"),
        map_code=replay.get("map_code"), map_name=replay.get("map_name"),
        team_size=replay.get("team_size"), duration=replay.get("duration"),
        overtime=bool(replay.get("overtime")), forfeit=bool(replay.get("forfeit")),
        blue_score=score.get("blue"), orange_score=score.get("orange"),
        winner=replay.get("winner"), schema_version=report.get("schema_version"),
        generator_version=generator.get("version"), ingested_at=_now(),
    ).returning(games.c.id)).scalar_one()
    _insert_players_and_report(conn, int(game_id), report, ids)
    return int(game_id)


def replace_report(library: Library, game_id: int, report: dict[str, Any]) -> None:
    """Swap a stored game's players, metric values and report for a new analysis.

    The game row (and with it every reference to the game: files, coach
    threads and notes) stays; header facts do not change between analyses,
    only what rlcoach computes from them.
    """
    ids = library.metric_ids()
    generator = report.get("generator") or {}
    with library.connect() as conn:
        conn.execute(delete(players).where(players.c.game_id == game_id))  # values cascade
        conn.execute(delete(reports).where(reports.c.game_id == game_id))
        conn.execute(update(games).where(games.c.id == game_id).values(
            schema_version=report.get("schema_version"),
            generator_version=generator.get("version"),
            duration=(report.get("replay") or {}).get("duration"),
        ))
        _insert_players_and_report(conn, game_id, report, ids)


def _insert_players_and_report(conn: Connection, game_id: int, report: dict[str, Any],
                               ids: dict[str, int]) -> None:
    values: list[dict[str, Any]] = []
    for p in report.get("players", []):
        car = p.get("car") or {}
        row = conn.execute(insert(players).values(
            game_id=game_id, key=p["key"], name=p.get("name") or p["key"],
            platform=p.get("platform"), player_id=p.get("id"), team=p["team"],
            is_bot=bool(p.get("is_bot")), car=car.get("name"),
        ).returning(players.c.id)).scalar_one()
        stats = p.get("stats") or {}
        for m in METRICS:
            value = (stats.get(m.group) or {}).get(m.key)
            if isinstance(value, bool | int | float):  # None: not computable here
                values.append({"player_row": row, "metric_id": ids[m.qualified],
                               "value": float(value)})
    if values:
        conn.execute(insert(metric_values), values)
    conn.execute(insert(reports).values(game_id=game_id, encoding=REPORT_ENCODING,
                                        data=encode_report(report)))


def _stored_by(conn: Connection, info: FileInfo, game_id: int) -> bool:
    row = conn.execute(select(files.c.status, files.c.game_id, files.c.sha256)
                       .where(files.c.path == info.path)).first()
    return (row is not None and row.status == "ok" and row.game_id == game_id
            and row.sha256 == info.sha256)


def _record_file(conn: Connection, info: FileInfo, status: str, *, game_id: int | None = None,
                 error_kind: str | None = None, error: str | None = None) -> None:
    row = {"path": info.path, "size": info.size, "mtime": info.mtime, "sha256": info.sha256,
           "status": status, "error_kind": error_kind, "error": error, "game_id": game_id,
           "seen_at": _now()}
    stmt = sqlite_insert(files).values(**row)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[files.c.path], set_={k: v for k, v in row.items() if k != "path"}
    ))


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
