"""Periodic housekeeping in the running server: drop rows nothing needs any more.

Design:
- ``prune`` deletes access and refresh tokens a day past their expiry (revoked or not:
  an expired token is refused anyway, and reuse detection only matters while a refresh
  token could still be presented), device authorizations past ``device_flow.RETENTION``,
  and rate-limit events older than any window. Idempotent, so every worker may run it.
- ``run_periodically`` is started by ``main.create_app``'s lifespan every
  ``maintenance_interval_seconds``; the work runs in a thread, one short transaction.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import anyio
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from ..db import session_scope
from ..models import AccessToken, DeviceAuthorization, RefreshToken, utcnow
from . import ratelimit
from .device_flow import RETENTION

log = logging.getLogger(__name__)
TOKEN_GRACE = timedelta(days=1)


def prune(db: Session, now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    counts: dict[str, int] = {}
    for name, stmt in (
        ("access_tokens", delete(AccessToken).where(AccessToken.expires_at < now - TOKEN_GRACE)),
        (
            "refresh_tokens",
            delete(RefreshToken).where(RefreshToken.expires_at < now - TOKEN_GRACE),
        ),
        (
            "device_authorizations",
            delete(DeviceAuthorization).where(DeviceAuthorization.expires_at < now - RETENTION),
        ),
    ):
        counts[name] = int(getattr(db.execute(stmt), "rowcount", 0) or 0)
    counts["rate_limit_events"] = ratelimit.prune(db, now)
    return counts


def prune_once(factory: sessionmaker[Session]) -> dict[str, int]:
    with session_scope(factory) as db:
        return prune(db)


async def run_periodically(factory: sessionmaker[Session], interval: float) -> None:
    while True:
        try:
            counts = await anyio.to_thread.run_sync(prune_once, factory)
            if any(counts.values()):
                log.info("maintenance: pruned %s", counts)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - housekeeping must never take the server down
            log.exception("maintenance: pruning failed")
        await asyncio.sleep(interval)
