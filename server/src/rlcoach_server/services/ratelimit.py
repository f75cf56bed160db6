"""Sliding-window rate limits stored in the database.

Design: one row per counted event, counted over the window with an indexed range query.
That is exact, survives restarts and is shared by every worker, at the cost of a write per
event; the users (device-code creation, user-code attempts on /device) are rare and cheap.
Old rows of a key are pruned as new ones are written (and all keys by ``maintenance``).

``hit`` is atomic: on PostgreSQL a transaction-scoped advisory lock on the key makes
concurrent callers count one after the other (check-then-record let 14-18 guesses through a
limit of 10 in a burst). Callers commit right after, which releases the lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from ..models import RateLimitEvent, utcnow

PRUNE_AFTER = timedelta(hours=1)


def count(db: Session, key: str, window: timedelta, now: datetime | None = None) -> int:
    now = now or utcnow()
    return db.execute(
        select(func.count())
        .select_from(RateLimitEvent)
        .where(RateLimitEvent.key == key, RateLimitEvent.created_at > now - window)
    ).scalar_one()


def is_limited(
    db: Session, key: str, limit: int, window: timedelta, now: datetime | None = None
) -> bool:
    return count(db, key, window, now) >= limit


def record(db: Session, key: str, now: datetime | None = None) -> int:
    """Count one event; returns its id (for ``refund``)."""
    now = now or utcnow()
    db.execute(
        delete(RateLimitEvent).where(
            RateLimitEvent.key == key, RateLimitEvent.created_at < now - PRUNE_AFTER
        )
    )
    event = RateLimitEvent(key=key, created_at=now)
    db.add(event)
    db.flush()
    return int(event.id)


def hit(
    db: Session, key: str, limit: int, window: timedelta, now: datetime | None = None
) -> int | None:
    """Record one event under ``key`` unless ``limit`` are already in the window.

    The event's id when recorded (allowed), None when limited. Commit soon after: on
    PostgreSQL the key stays locked until then."""
    bind = db.get_bind()
    if bind.dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": key})
    if is_limited(db, key, limit, window, now):
        return None
    return record(db, key, now)


def refund(db: Session, event_ids: list[int]) -> None:
    """Uncount events recorded by ``hit`` (the attempt turned out not to count)."""
    if event_ids:
        db.execute(delete(RateLimitEvent).where(RateLimitEvent.id.in_(event_ids)))


def prune(db: Session, now: datetime | None = None) -> int:
    """Drop events older than any window (all keys)."""
    now = now or utcnow()
    result = db.execute(delete(RateLimitEvent).where(RateLimitEvent.created_at < now - PRUNE_AFTER))
    return int(getattr(result, "rowcount", 0) or 0)
