"""ORM models (SQLAlchemy 2.x declarative, typed ``Mapped`` columns).

Design:
- Every piece of state lives here, so any worker can serve any request.
- Secrets (device codes, access and refresh tokens) are stored only as sha256 hex digests;
  a database leak does not leak usable credentials. User codes are stored in clear because
  they are short-lived, single-use and only useful together with a signed-in browser.
- Times are timezone-aware UTC. ``UTCDateTime`` restores the tzinfo SQLite drops.
- Rows owned by a user cascade on delete (``DELETE /me`` removes everything we keep).
- The schema is created by Alembic migrations in ``migrations/versions``; a test checks
  that these models and the migrated schema do not differ.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    # Random ids: user ids appear in URLs and Stripe metadata; they must not be guessable
    # or leak sign-up order.
    return uuid.uuid4().hex


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that always hands back aware UTC datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    email: Mapped[str | None] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Created by us before the first checkout, so every Stripe event maps back to a user.
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), unique=True)


class Identity(Base):
    """An upstream login (Discord/Google/dev) linked to a user."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeviceAuthorization(Base):
    """One RFC 8628 device authorization request."""

    __tablename__ = "device_authorizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Normalized: 8 chars, no dash, upper case.
    user_code: Mapped[str] = mapped_column(String(8), unique=True)
    client_id: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(200), default="")
    # pending -> approved | denied; approved -> consumed when the token is issued.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    requester_ip: Mapped[str | None] = mapped_column(String(64))
    requester_user_agent: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    interval: Mapped[int] = mapped_column(Integer)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class _TokenColumns:
    """Columns shared by access and refresh tokens."""

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(100))
    # All tokens descending from one device approval share a family; reuse of a rotated
    # refresh token revokes the whole family.
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    scope: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccessToken(_TokenColumns, Base):
    __tablename__ = "access_tokens"


class RefreshToken(_TokenColumns, Base):
    __tablename__ = "refresh_tokens"

    # Set when exchanged for a new pair; a second exchange is a replay.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RateLimitEvent(Base):
    """One counted event (e.g. a wrong user code) for a sliding-window limit."""

    __tablename__ = "rate_limit_events"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    key: Mapped[str] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Subscription(Base):
    """Our copy of a Stripe subscription, as of the newest event we have applied."""

    __tablename__ = "subscriptions"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)  # Stripe sub_...
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[str] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(32))
    price_id: Mapped[str | None] = mapped_column(String(255))
    current_period_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the subscription (most recently) entered past_due; drives the grace period.
    past_due_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Stripe ``created`` (unix seconds) of the event this row reflects. Older snapshots
    # are ignored, so delivery order does not matter.
    snapshot_created: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StripeEvent(Base):
    """Webhook events already processed; inserted in the same transaction as the effect."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)  # evt_...
    type: Mapped[str] = mapped_column(String(100))
    created: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- coach metering ---
# Owned by the coach proxy (services/metering.py, migration 0002). Cost units are
# micro-dollars; integers everywhere so the ledger sums exactly to ``used_units``.


class CoachAllowance(Base):
    """A user's allowance for one calendar month (UTC), with live reservations."""

    __tablename__ = "coach_allowances"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    period: Mapped[str] = mapped_column(String(7), primary_key=True)  # "YYYY-MM"
    # The tier's allowance as of the last reservation (follows upgrades within the month).
    limit_units: Mapped[int] = mapped_column(BigInteger, default=0)
    used_units: Mapped[int] = mapped_column(BigInteger, default=0)
    reserved_units: Mapped[int] = mapped_column(BigInteger, default=0)
    # Used this month by a deleted account of the same login identity (CoachIdentityUsage).
    carried_units: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CoachIdentityUsage(Base):
    """Coach usage of a *deleted* account, per login identity and month (migration 0003).

    Kept across account deletion so that deleting and signing in again with the same
    Discord/Google identity does not reset the free allowance. Only what that needs: a keyed
    hash of (provider, subject), the month, the units used. Rows of past months are pruned.
    """

    __tablename__ = "coach_identity_usage"

    identity_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    used_units: Mapped[int] = mapped_column(BigInteger, default=0)


class CoachWorker(Base):
    """A serving process's heartbeat; its pending calls are swept once it stops beating."""

    __tablename__ = "coach_workers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CoachLedger(Base):
    """One row per metered coach call (including refused ones, at cost 0)."""

    __tablename__ = "coach_ledger"
    __table_args__ = (Index("ix_coach_ledger_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    model: Mapped[str] = mapped_column(String(100))
    stream: Mapped[bool] = mapped_column(Boolean, default=False)
    # pending -> ok | stream_error | dropped | client_closed | upstream_error | stale;
    # refused calls are written directly as ``rejected``.
    status: Mapped[str] = mapped_column(String(24), index=True)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cache_write_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cache_read_tokens: Mapped[int] = mapped_column(Integer, default=0)
    reserved_units: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_units: Mapped[int] = mapped_column(BigInteger, default=0)
    upstream_request_id: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(String(300))
    # The process serving the call (CoachWorker.id) and the input bound it reserved for: what
    # the sweep charges if that process dies before settling (migration 0003).
    worker_id: Mapped[str | None] = mapped_column(String(64))
    input_bound: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class CoachRateWindow(Base):
    """Coach requests per user per fixed window; one upsert per request (any worker)."""

    __tablename__ = "coach_rate_windows"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # unix seconds
    count: Mapped[int] = mapped_column(Integer, default=0)
