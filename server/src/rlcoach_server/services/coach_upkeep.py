"""Coach upkeep in the running server: worker heartbeats and the sweep of calls a dead worker
left ``pending`` (their units would otherwise stay reserved).

Design:
- Every serving process has an id (``worker_id``: host, pid and a random part) written into
  the ledger row of each call it reserves, and beats a ``coach_workers`` row every
  ``coach_upkeep_interval_seconds`` (first beat before it serves anything).
- Each process also sweeps: a ``pending`` call whose worker has not beaten for
  ``DEAD_AFTER_BEATS`` intervals died with that worker (SIGKILL, OOM, machine lost), so it is
  settled ``stale``. Several workers may sweep at once: settlement is conditional on
  ``pending``, so a call is settled once.
- What a stale call is charged is what its ledger row can justify: the input bound it was
  reserved for (``input_bound`` at the dearest input rate), never the worst case, which
  assumed every one of ``max_tokens`` was produced. The output it streamed before its worker
  died is unknown (it was never recorded); the input bound's margin (bytes for tokens, the
  dearest input rate) is what covers it.
- Rows written before migration 0003 have no worker; they are swept, as before, once older
  than any call can last.
- Each pass also prunes dead workers' rows and carried identity usage of past months.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from ..config import Settings
from ..models import CoachLedger, CoachWorker, utcnow
from . import metering
from .coach_pricing import ModelPrice, price_table, worst_case_units

log = logging.getLogger(__name__)

WORKERS = cast(Table, CoachWorker.__table__)
DEAD_AFTER_BEATS = 4
FORGET_WORKERS_AFTER = timedelta(days=1)
_ids: dict[int, str] = {}


def worker_id() -> str:
    """This process's id (per pid: a forked child gets its own)."""
    pid = os.getpid()
    if pid not in _ids:
        _ids[pid] = f"{socket.gethostname()[:32]}:{pid}:{secrets.token_hex(4)}"
    return _ids[pid]


def heartbeat(session: Session, worker: str, now: datetime) -> None:
    stmt = metering.upsert_insert(session, WORKERS).values(id=worker, heartbeat_at=now)
    session.execute(
        stmt.on_conflict_do_update(index_elements=[WORKERS.c.id], set_={"heartbeat_at": now})
    )


def _stale_cost(row: Any, prices: dict[str, ModelPrice]) -> int:
    price = prices.get(row.model)
    if price is None:  # a model since removed from the table: nothing finer to go on
        return int(row.reserved_units)
    return min(int(row.reserved_units), worst_case_units(price, int(row.input_bound), 0))


def sweep_dead_workers(
    session: Session, prices: dict[str, ModelPrice], dead_after: timedelta, now: datetime
) -> int:
    """Settle ``stale`` the pending calls of workers silent for ``dead_after``. How many."""
    live = select(WORKERS.c.id).where(WORKERS.c.heartbeat_at >= now - dead_after)
    rows = session.execute(
        select(
            CoachLedger.id, CoachLedger.model, CoachLedger.reserved_units, CoachLedger.input_bound
        ).where(
            CoachLedger.status == "pending",
            CoachLedger.worker_id.is_not(None),
            CoachLedger.worker_id.not_in(live),
            CoachLedger.created_at < now - dead_after,
        )
    ).all()
    return sum(
        metering.settle(
            session,
            r.id,
            status="stale",
            cost=_stale_cost(r, prices),
            error="never settled: its worker stopped (charged the input bound)",
            now=now,
        )
        for r in rows
    )


def upkeep_once(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """One pass in one transaction: beat, sweep, prune. Returns how many calls were swept."""
    now = now or utcnow()
    interval = timedelta(seconds=settings.coach_upkeep_interval_seconds)
    heartbeat(session, worker_id(), now)
    swept = sweep_dead_workers(
        session, price_table(settings.coach_prices), DEAD_AFTER_BEATS * interval, now
    )
    # Calls from before worker ids existed: only once older than any call can last.
    legacy_age = timedelta(seconds=max(3600.0, 2 * settings.anthropic_timeout_seconds))
    swept += metering.sweep_stale(session, legacy_age, now=now)
    session.execute(delete(WORKERS).where(WORKERS.c.heartbeat_at < now - FORGET_WORKERS_AFTER))
    metering.prune_identity_usage(session, now)
    return swept


class Runner(Protocol):
    """What runs a pass: the coach's metering store (``coach_admission.Store.run``), so the
    upkeep uses the coach's own connections, inside the per-worker budget."""

    async def run(self, fn: Callable[..., int], *args: Any) -> int: ...


async def upkeep_pass(store: Runner, settings: Settings) -> None:
    try:
        swept = await store.run(upkeep_once, settings)
    except Exception:  # noqa: BLE001 - a database blip must not end the loop or the start
        log.exception("coach: upkeep pass failed")
        return
    if swept:
        log.warning("coach: charged %d call(s) left pending by a stopped worker", swept)


async def run_forever(store: Runner, settings: Settings) -> None:
    """The periodic upkeep task of one process (started by the coach router's lifespan)."""
    while True:
        await asyncio.sleep(settings.coach_upkeep_interval_seconds)
        await upkeep_pass(store, settings)
