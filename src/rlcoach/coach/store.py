"""The coach's own rows in the library: conversations (threads, messages) and notes.

Tables ``coach_threads``, ``coach_messages``, ``coach_notes`` come from library
migration 3. Notes are the only thing the model can write (through the
``save_note`` tool); threads and messages are written by the chat loop unless
the user asked for ``--no-log``. Everything is plain Core SQL over the
library's connection; timestamps are UTC ISO 8601.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import desc, func, insert, or_, select, update

from rlcoach.errors import LibraryError
from rlcoach.library.db import Library
from rlcoach.library.schema import coach_messages, coach_notes, coach_threads

NOTE_KINDS = ("goal", "observation")


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Usage:
    """Tokens and cost of one answer (all model rounds of it summed)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost: float | None = None

    def __add__(self, other: Usage) -> Usage:
        cost = None if self.cost is None and other.cost is None else \
            (self.cost or 0.0) + (other.cost or 0.0)
        return Usage(self.input_tokens + other.input_tokens,
                     self.output_tokens + other.output_tokens,
                     self.cache_read_tokens + other.cache_read_tokens,
                     self.cache_write_tokens + other.cache_write_tokens, cost)


@dataclass(frozen=True)
class StoredMessage:
    role: str
    text: str
    created_at: str
    model: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    usage: Usage | None = None
    unverified: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Thread:
    id: int
    title: str
    mode: str
    game_id: int | None
    created_at: str
    updated_at: str
    messages: int = 0


def save_note(library: Library, kind: str, text: str, game_id: int | None = None) -> int:
    if kind not in NOTE_KINDS:
        raise LibraryError(f"note kind must be one of {', '.join(NOTE_KINDS)}, not {kind!r}")
    text = text.strip()
    if not text:
        raise LibraryError("a note needs some text")
    with library.connect() as conn:
        result = conn.execute(insert(coach_notes).values(
            kind=kind, text=text[:2000], game_id=game_id, created_at=_now()))
        return int(result.inserted_primary_key[0])  # type: ignore[index]


def read_notes(library: Library, *, kind: str | None = None, limit: int = 20) -> list[dict]:
    query = select(coach_notes).order_by(desc(coach_notes.c.id)).limit(limit)
    if kind:
        query = query.where(coach_notes.c.kind == kind)
    with library.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def new_thread(library: Library, title: str, mode: str, game_id: int | None = None) -> int:
    now = _now()
    with library.connect() as conn:
        result = conn.execute(insert(coach_threads).values(
            title=title.strip()[:120] or "(untitled)", mode=mode, game_id=game_id,
            created_at=now, updated_at=now))
        return int(result.inserted_primary_key[0])  # type: ignore[index]


def add_message(library: Library, thread_id: int, message: StoredMessage) -> None:
    usage = message.usage or Usage()
    with library.connect() as conn:
        conn.execute(insert(coach_messages).values(
            thread_id=thread_id, role=message.role, text=message.text,
            content=json.dumps(message.tool_calls) if message.tool_calls else None,
            model=message.model, input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens, cache_read_tokens=usage.cache_read_tokens,
            cache_write_tokens=usage.cache_write_tokens, cost=usage.cost,
            unverified=json.dumps(message.unverified) if message.unverified else None,
            created_at=message.created_at))
        conn.execute(update(coach_threads).where(coach_threads.c.id == thread_id)
                     .values(updated_at=_now()))


def threads(library: Library, *, query: str | None = None, limit: int = 20) -> list[Thread]:
    """Threads newest first; ``query`` keeps those whose title or messages contain it."""
    counts = (select(coach_messages.c.thread_id, func.count().label("n"))
              .group_by(coach_messages.c.thread_id).subquery())
    sql = (select(coach_threads, func.coalesce(counts.c.n, 0).label("n"))
           .outerjoin(counts, counts.c.thread_id == coach_threads.c.id)
           .order_by(desc(coach_threads.c.updated_at), desc(coach_threads.c.id)).limit(limit))
    if query:
        like = f"%{query}%"
        hits = select(coach_messages.c.thread_id).where(coach_messages.c.text.ilike(like))
        sql = sql.where(or_(coach_threads.c.title.ilike(like), coach_threads.c.id.in_(hits)))
    with library.connect() as conn:
        return [Thread(r["id"], r["title"], r["mode"], r["game_id"], r["created_at"],
                       r["updated_at"], int(r["n"])) for r in conn.execute(sql).mappings()]


def thread(library: Library, thread_id: int | None) -> Thread:
    """A thread by id, or the most recent one when ``thread_id`` is None."""
    found = threads(library, limit=1) if thread_id is None else [
        t for t in threads(library, limit=10_000) if t.id == thread_id]
    if not found:
        what = "no earlier conversation" if thread_id is None else f"no conversation {thread_id}"
        raise LibraryError(what, hint="`rlcoach coach logs` lists past conversations.")
    return found[0]


def messages(library: Library, thread_id: int) -> list[StoredMessage]:
    with library.connect() as conn:
        rows = conn.execute(select(coach_messages).where(coach_messages.c.thread_id == thread_id)
                            .order_by(coach_messages.c.id)).mappings().all()
    return [StoredMessage(
        role=r["role"], text=r["text"], created_at=r["created_at"], model=r["model"],
        tool_calls=json.loads(r["content"]) if r["content"] else [],
        usage=Usage(r["input_tokens"] or 0, r["output_tokens"] or 0,
                    r["cache_read_tokens"] or 0, r["cache_write_tokens"] or 0, r["cost"]),
        unverified=json.loads(r["unverified"]) if r["unverified"] else [],
    ) for r in rows]
