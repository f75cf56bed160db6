"""Sliding-window rate limits stored in the database.

Design: one row per counted event, counted over the window with an indexed range query.
That is exact, survives restarts and is shared by every worker, at the cost of a write per
event; the only user today (wrong user codes on /device) is rare and cheap. Old rows are
pruned as new ones are written.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
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


def record(db: Session, key: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    db.execute(delete(RateLimitEvent).where(RateLimitEvent.created_at < now - PRUNE_AFTER))
    db.add(RateLimitEvent(key=key, created_at=now))
    db.flush()
