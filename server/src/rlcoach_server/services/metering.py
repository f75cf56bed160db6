"""Coach metering: monthly allowances, atomic reservations, settlement and the ledger.

Design:
- One ``coach_allowances`` row per (user, calendar month UTC) holds ``used_units`` and
  ``reserved_units``. A call first *reserves* its worst-case cost with ONE conditional
  statement::

      UPDATE coach_allowances SET reserved_units = reserved_units + :x, limit_units = :limit
       WHERE user_id = :u AND period = :p AND used_units + reserved_units + :x <= :limit
      RETURNING used_units

  On PostgreSQL (READ COMMITTED) concurrent updates of the row queue on its row lock and each
  re-checks the WHERE clause against the committed winner, so no interleaving can overspend;
  SQLite serialises writers outright. No row back means "does not fit" (402) or "no row for
  this month yet": the row is then inserted with ON CONFLICT DO NOTHING and the update tried
  once more.
- The reservation and a ``pending`` ledger row are written in the same transaction, so every
  reserved unit is traceable to a call, and a worker that dies mid-stream leaves a pending
  row that ``sweep_stale`` can later charge.
- Settlement is one transaction too: flip the ledger row from ``pending`` (a conditional
  update, so settling twice is a no-op), then move its reservation out of ``reserved_units``
  and its real cost into ``used_units``. Hence sum(ledger.cost_units) == used_units exactly.
- Releasing (upstream failed before producing anything) is settlement at cost 0.
- The limit is the user's *current* tier allowance, passed in on every reservation, so an
  upgrade takes effect on the next call without a migration of old rows.
- Usage follows the login identity, not only the user row (issue 13 item 6): deleting an
  account records what it used this month per identity (``remember_usage``, a keyed hash of
  provider and subject, kept in ``coach_identity_usage`` across the deletion), and a new
  account's first allowance row of the month starts with the most any of its identities
  carried (``carried_units``, counted against the limit like ``used_units``). Past months'
  rows are pruned by the upkeep sweep.
- Functions take a ``Session`` and do not commit: the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, delete, func, insert, select, update
from sqlalchemy.orm import Session

from ..config import Settings
from ..models import CoachAllowance, CoachIdentityUsage, CoachLedger, Identity, User, utcnow
from . import billing
from .coach_pricing import TokenUsage

LEDGER_ROWS_IN_SUMMARY = 20
# Core tables, not the ORM classes, in the per-call statements: an ORM-enabled UPDATE/INSERT
# goes through the bulk-persistence machinery, measurably more CPU per call under load.
ALLOWANCES = cast(Table, CoachAllowance.__table__)
LEDGER = cast(Table, CoachLedger.__table__)
IDENTITY_USAGE = cast(Table, CoachIdentityUsage.__table__)


def period_of(now: datetime) -> str:
    return f"{now.year:04d}-{now.month:02d}"


def next_period_start(now: datetime) -> datetime:
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (first + timedelta(days=32)).replace(day=1)


def user_tier(session: Session, user: User, settings: Settings) -> str:
    """``"pro"`` or ``"free"``: the billing service owns what a live subscription is."""
    return billing.user_tier(session, user, settings)


def allowance_for(settings: Settings, tier: str) -> int:
    return int(settings.coach_allowances.get(tier, settings.coach_allowances.get("free", 0)))


def upsert_insert(session: Session, table: Any) -> Any:
    """``INSERT`` of the session's dialect, the one with ``on_conflict_do_*`` (PG, SQLite)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):  # pragma: no cover - the supported backends
        raise RuntimeError(f"unsupported database {dialect}")
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def _insert_ignore(session: Session, values: dict[str, Any]) -> None:
    session.execute(
        upsert_insert(session, CoachAllowance).values(**values).on_conflict_do_nothing()
    )


@dataclass(frozen=True)
class Reservation:
    ledger_id: int
    units: int
    period: str


def reserve(
    session: Session,
    *,
    user_id: str,
    limit: int,
    units: int,
    model: str,
    stream: bool,
    now: datetime | None = None,
    worker_id: str | None = None,
    input_bound: int = 0,
    identity_secret: bytes = b"",
) -> Reservation | None:
    """Reserve ``units`` against this month's allowance, or write a refusal and return None.

    ``worker_id`` and ``input_bound`` go into the ledger row for the upkeep sweep;
    ``identity_secret`` keys the identity hashes a new month's row looks up carried usage by.
    """
    now = now or utcnow()
    period = period_of(now)
    a = ALLOWANCES.c
    stmt = (
        update(ALLOWANCES)
        .where(
            and_(
                a.user_id == user_id,
                a.period == period,
                a.used_units + a.carried_units + a.reserved_units + units <= limit,
            )
        )
        .values(
            reserved_units=ALLOWANCES.c.reserved_units + units,
            limit_units=limit,
            updated_at=now,
        )
        .returning(ALLOWANCES.c.used_units)
    )
    got = session.execute(stmt).first()
    if got is None:
        _insert_ignore(
            session,
            {
                "user_id": user_id,
                "period": period,
                "limit_units": limit,
                "used_units": 0,
                "reserved_units": 0,
                "carried_units": carried_usage(session, user_id, period, identity_secret),
                "updated_at": now,
            },
        )
        got = session.execute(stmt).first()
    status = "pending" if got is not None else "rejected"
    ledger_id = session.execute(
        insert(LEDGER)
        .values(
            user_id=user_id,
            period=period,
            created_at=now,
            model=model,
            stream=stream,
            status=status,
            reserved_units=units if got is not None else 0,
            cost_units=0,
            input_tokens=0,
            output_tokens=0,
            cache_write_tokens=0,
            cache_read_tokens=0,
            settled_at=None if got is not None else now,
            error=None if got is not None else "allowance exhausted",
            worker_id=worker_id,
            input_bound=input_bound,
        )
        .returning(LEDGER.c.id)
    ).scalar_one()
    return Reservation(ledger_id, units, period) if got is not None else None


def settle(
    session: Session,
    ledger_id: int,
    *,
    status: str,
    cost: int,
    usage: TokenUsage | None = None,
    request_id: str | None = None,
    error: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Close a pending call: charge ``cost``, free its reservation. False if already settled."""
    now = now or utcnow()
    usage = usage or TokenUsage()
    row = session.execute(
        update(LEDGER)
        .where(LEDGER.c.id == ledger_id, LEDGER.c.status == "pending")
        .values(
            status=status,
            cost_units=cost,
            settled_at=now,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_write_tokens=usage.cache_write_tokens,
            cache_read_tokens=usage.cache_read_tokens,
            upstream_request_id=request_id,
            error=(error or None) and error[:300],
        )
        .returning(LEDGER.c.user_id, LEDGER.c.period, LEDGER.c.reserved_units)
    ).first()
    if row is None:
        return False
    session.execute(
        update(ALLOWANCES)
        .where(ALLOWANCES.c.user_id == row.user_id, ALLOWANCES.c.period == row.period)
        .values(
            reserved_units=ALLOWANCES.c.reserved_units - row.reserved_units,
            used_units=ALLOWANCES.c.used_units + cost,
            updated_at=now,
        )
    )
    return True


def sweep_stale(session: Session, older_than: timedelta, now: datetime | None = None) -> int:
    """Charge the reservation of calls without a worker id (reserved before migration 0003)
    left pending for ``older_than``. Returns how many. Calls with a worker id are the upkeep
    sweep's (``coach_upkeep``), which knows whether their worker still runs.

    Nothing finer than the reservation is known of such a call, so it is charged.
    """
    now = now or utcnow()
    stale = session.execute(
        select(CoachLedger.id, CoachLedger.reserved_units).where(
            CoachLedger.status == "pending",
            CoachLedger.worker_id.is_(None),
            CoachLedger.created_at < now - older_than,
        )
    ).all()
    return sum(
        settle(
            session,
            r.id,
            status="stale",
            cost=r.reserved_units,
            error="never settled (worker stopped)",
            now=now,
        )
        for r in stale
    )


def identity_hash(provider: str, subject: str, secret: bytes) -> str:
    """A keyed hash naming a login identity without storing it."""
    return hmac.new(secret, f"{provider}\0{subject}".encode(), hashlib.sha256).hexdigest()


def _identity_hashes(session: Session, user_id: str, secret: bytes) -> list[str]:
    rows = session.execute(
        select(Identity.provider, Identity.subject).where(Identity.user_id == user_id)
    ).all()
    return [identity_hash(r.provider, r.subject, secret) for r in rows]


def carried_usage(session: Session, user_id: str, period: str, secret: bytes) -> int:
    """The most a deleted account of one of the user's identities used in ``period``."""
    hashes = _identity_hashes(session, user_id, secret)
    if not hashes:
        return 0
    found = session.execute(
        select(func.max(IDENTITY_USAGE.c.used_units)).where(
            IDENTITY_USAGE.c.identity_hash.in_(hashes), IDENTITY_USAGE.c.period == period
        )
    ).scalar()
    return int(found or 0)


def remember_usage(
    session: Session, user_id: str, secret: bytes, now: datetime | None = None
) -> None:
    """Before deleting a user: keep this month's usage per login identity (see module doc).

    Reserved units count as used: the calls in flight are billed upstream, and their ledger
    rows go with the account.
    """
    period = period_of(now or utcnow())
    row = session.get(CoachAllowance, (user_id, period))
    if row is None:
        return
    used = row.used_units + row.carried_units + row.reserved_units
    for key in _identity_hashes(session, user_id, secret):
        stmt = upsert_insert(session, IDENTITY_USAGE).values(
            identity_hash=key, period=period, used_units=used
        )
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=[IDENTITY_USAGE.c.identity_hash, IDENTITY_USAGE.c.period],
                set_={"used_units": func.greatest(IDENTITY_USAGE.c.used_units, used)}
                if session.get_bind().dialect.name == "postgresql"
                else {"used_units": func.max(IDENTITY_USAGE.c.used_units, used)},
            )
        )


def prune_identity_usage(session: Session, now: datetime | None = None) -> int:
    """Drop carried usage of months that are over (nothing needs it any more)."""
    period = period_of(now or utcnow())
    result = session.execute(delete(IDENTITY_USAGE).where(IDENTITY_USAGE.c.period < period))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def usage_summary(
    session: Session, user: User, settings: Settings, now: datetime | None = None
) -> dict[str, Any]:
    """The user's own coach usage this month: allowance, used, reserved, remaining, recent calls.

    Only rows of ``user`` are read. Safe to embed in ``GET /me``.
    """
    now = now or utcnow()
    period = period_of(now)
    tier = user_tier(session, user, settings)
    limit = allowance_for(settings, tier)
    row = session.get(CoachAllowance, (user.id, period))
    if row is not None:
        used = row.used_units + row.carried_units
    else:  # no call yet this month: what a deleted account of the same identity used
        used = carried_usage(
            session, user.id, period, settings.secret_key.get_secret_value().encode()
        )
    reserved = row.reserved_units if row else 0
    recent = session.execute(
        select(CoachLedger)
        .where(CoachLedger.user_id == user.id)
        .order_by(CoachLedger.created_at.desc(), CoachLedger.id.desc())
        .limit(LEDGER_ROWS_IN_SUMMARY)
    ).scalars()
    return {
        "period": period,
        "period_resets_at": next_period_start(now).isoformat(),
        "tier": tier,
        "unit": "micro_usd",
        "allowance": limit,
        "used": used,
        "reserved": reserved,
        "remaining": max(0, limit - used - reserved),
        "recent": [
            {
                "id": r.id,
                "created_at": r.created_at.isoformat(),
                "model": r.model,
                "stream": r.stream,
                "status": r.status,
                "input_tokens": r.input_tokens,
                "output_tokens": r.output_tokens,
                "cache_write_tokens": r.cache_write_tokens,
                "cache_read_tokens": r.cache_read_tokens,
                "cost": r.cost_units,
                "request_id": r.upstream_request_id,
            }
            for r in recent
        ],
    }
