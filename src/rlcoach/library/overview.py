"""Library overview: playlists, counts, failed files, who the user might be.

Re-exported by ``rlcoach.library.queries``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import desc, func, select

from rlcoach.config import Identity
from rlcoach.library.db import Library
from rlcoach.library.filters import me_condition, resolve_identity
from rlcoach.library.schema import files, games, players


@dataclass(frozen=True)
class FileRecord:
    path: str
    size: int
    status: str  # ok | duplicate | failed
    error_kind: str | None
    error: str | None
    game_id: int | None
    seen_at: str


@dataclass(frozen=True)
class LibraryStats:
    games: int
    my_games: int
    files_ok: int
    files_duplicate: int
    files_failed: int
    first_played: datetime | None
    last_played: datetime | None


def playlists(library: Library) -> list[tuple[str, int]]:
    """(playlist, games) most played first: choices for a playlist filter."""
    with library.connect() as conn:
        rows = conn.execute(
            select(games.c.playlist, func.count()).group_by(games.c.playlist)
            .order_by(desc(func.count()))
        ).tuples().all()
    return [(p or "unknown", n) for p, n in rows]


def library_stats(library: Library, *, identity: Identity | None = None) -> LibraryStats:
    cond = me_condition(library, resolve_identity(identity))
    with library.connect() as conn:
        n, first, last = conn.execute(
            select(func.count(), func.min(games.c.played_at), func.max(games.c.played_at))
        ).one()
        mine = conn.execute(
            select(func.count(func.distinct(players.c.game_id))).where(cond)
        ).scalar_one()
        by_status = dict(conn.execute(
            select(files.c.status, func.count()).group_by(files.c.status)
        ).tuples().all())
    return LibraryStats(
        games=n, my_games=mine, files_ok=by_status.get("ok", 0),
        files_duplicate=by_status.get("duplicate", 0), files_failed=by_status.get("failed", 0),
        first_played=_dt(first), last_played=_dt(last),
    )


def failed_files(library: Library) -> list[FileRecord]:
    with library.connect() as conn:
        rows = conn.execute(
            select(files).where(files.c.status == "failed").order_by(files.c.path)
        ).mappings()
        return [file_record(r) for r in rows]


def suggest_identity(library: Library, limit: int = 3) -> list[tuple[str, str | None, int]]:
    """(name, "platform:id", games) of the humans in the most games.

    Used to tell a user without ``[identity]`` what to put there.
    """
    ident = func.coalesce(players.c.platform + ":" + players.c.player_id, players.c.name)
    with library.connect() as conn:
        rows = conn.execute(
            select(func.max(players.c.name), players.c.platform, players.c.player_id,
                   func.count(func.distinct(players.c.game_id)).label("n"))
            .where(players.c.is_bot.is_(False)).group_by(ident)
            .order_by(desc("n")).limit(limit)
        ).tuples().all()
    return [(name, f"{pf}:{pid}" if pf and pid else None, n) for name, pf, pid, n in rows]


def file_record(r: Any) -> FileRecord:
    return FileRecord(path=r["path"], size=r["size"], status=r["status"],
                      error_kind=r["error_kind"], error=r["error"], game_id=r["game_id"],
                      seen_at=r["seen_at"])



def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
