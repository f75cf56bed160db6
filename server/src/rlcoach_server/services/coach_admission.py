"""Admission of a coach call (authenticate, rate-limit, reserve) and its settlement.

Design:
- The database work in front of the first upstream byte is the latency the proxy adds, so it
  is ONE transaction: token lookup, rate-window increment, tier lookup, allowance
  reservation and the pending ledger row. Its commit may be deferred (``defer_commit``): the
  decision is final once the allowance row is locked, so the route sends the upstream request
  while the commit's WAL flush completes, and awaits ``commit`` before forwarding anything.
- Two stores run the same steps (``_authenticate``, rate limit, ``_reserve``; the metering
  and token services stay plain synchronous SQLAlchemy code):
  * ``AsyncStore`` (PostgreSQL): an async engine (psycopg 3) with its own pool; the steps run
    through ``AsyncSession.run_sync``, i.e. in a greenlet on the event loop. Measured under
    100 concurrent streams, the thread-pool variant's admission took 20-35 ms when the loop
    was busy relaying: each of its ~7 round trips handed the GIL back and forth with the
    event loop thread (a GIL convoy). On the loop there is no such handoff.
  * ``ThreadedStore`` (SQLite, dev mode): the app's sessions in the thread pool.
- The rlcoach access token is accepted from ``Authorization: Bearer`` (our CLI) or
  ``x-api-key`` (what the Anthropic SDKs send when pointed at this server).
- Refusals are values (``Refusal``), not exceptions, so the route renders them in Anthropic's
  error shape and the transaction still commits the counted request / refusal ledger row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

from ..config import Settings
from ..db import normalize_url, session_scope
from ..models import User
from . import metering
from .coach_ratelimit import LimiterUnavailable, RateDecision, RateLimiter
from .coach_upkeep import worker_id
from .tokens import user_for_access_token

T = TypeVar("T")

# At most one deferred commit per open transaction, and those are bounded by the DB pool.
COMMIT_THREADS = 256


@dataclass(frozen=True)
class Refusal:
    status: int
    error_type: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Admitted:
    user_id: str
    reservation: metering.Reservation | None = None
    # With ``defer_commit``: the open transaction holding the reservation; see ``commit``.
    pending: Any = None


@dataclass(frozen=True)
class ReserveRequest:
    model: str
    stream: bool
    units: int
    input_bound: int = 0  # the input tokens ``units`` assumed (what a stale sweep charges)


def bearer_token(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    key = headers.get("x-api-key", "").strip()
    return key or None


# --------------------------------------------------------------------------- the steps


def _authenticate(session: Session, token: str | None, user_id: str | None) -> User | Refusal:
    if user_id is not None:
        user = session.get(User, user_id)
        return user or Refusal(401, "authentication_error", "user no longer exists")
    user = user_for_access_token(session, token) if token else None
    return user or Refusal(
        401, "authentication_error", "missing, invalid or expired rlcoach access token"
    )


LIMITER_DOWN = Refusal(
    503,
    "api_error",
    "the coach's rate limiter is unavailable; retry in a minute",
    {"retry-after": "30"},
)


def _rate_refusal(limiter: RateLimiter, decision: RateDecision) -> Refusal | None:
    if decision.allowed:
        return None
    return Refusal(
        429,
        "rate_limit_error",
        f"too many coach requests: at most {limiter.limit} per {limiter.window} s; "
        f"retry in {decision.retry_after} s",
        {"retry-after": str(decision.retry_after)},
    )


def _reserve(
    session: Session, settings: Settings, user: User, reserve: ReserveRequest
) -> Admitted | Refusal:
    tier = metering.user_tier(session, user, settings)
    limit = metering.allowance_for(settings, tier)
    reservation = metering.reserve(
        session,
        user_id=user.id,
        limit=limit,
        units=reserve.units,
        model=reserve.model,
        stream=reserve.stream,
        worker_id=worker_id(),
        input_bound=reserve.input_bound,
        identity_secret=settings.secret_key.get_secret_value().encode(),
    )
    if reservation is None:
        return Refusal(
            402,
            "billing_error",
            f"coach allowance exhausted: this call may cost up to {reserve.units} units "
            f"(micro-dollars), more than what remains of your {tier} allowance "
            f"of {limit} for {metering.period_of(metering.utcnow())}. "
            "Lower max_tokens, shorten the conversation, wait for next month or upgrade.",
        )
    return Admitted(user.id, reservation)


def _decide(
    session: Session,
    settings: Settings,
    limiter: RateLimiter | None,
    token: str | None,
    reserve: ReserveRequest | None,
    user_id: str | None,
) -> Admitted | Refusal:
    """All steps, synchronously (the rate limiter's Redis call included)."""
    user = _authenticate(session, token, user_id)
    if isinstance(user, Refusal):
        return user
    if limiter is not None:
        try:
            decision = limiter.hit(session, user.id)
        except LimiterUnavailable:
            return LIMITER_DOWN
        refusal = _rate_refusal(limiter, decision)
        if refusal is not None:
            return refusal
    return Admitted(user.id) if reserve is None else _reserve(session, settings, user, reserve)


# --------------------------------------------------------------------------- stores


class ThreadedStore:
    """Synchronous sessions in the thread pool (SQLite)."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        # Commits get threads of their own: queued behind admissions of the same user that
        # wait for this transaction's row lock, neither would ever proceed.
        self._commit_threads = anyio.CapacityLimiter(COMMIT_THREADS)

    async def admit(
        self,
        settings: Settings,
        limiter: RateLimiter | None,
        token: str | None,
        *,
        reserve: ReserveRequest | None = None,
        user_id: str | None = None,
        defer_commit: bool = False,
    ) -> Admitted | Refusal:
        return await anyio.to_thread.run_sync(
            self._admit, settings, limiter, token, reserve, user_id, defer_commit
        )

    def _admit(
        self,
        settings: Settings,
        limiter: RateLimiter | None,
        token: str | None,
        reserve: ReserveRequest | None,
        user_id: str | None,
        defer_commit: bool,
    ) -> Admitted | Refusal:
        session = self.factory()
        try:
            outcome = _decide(session, settings, limiter, token, reserve, user_id)
            if defer_commit and isinstance(outcome, Admitted) and outcome.reservation:
                return Admitted(outcome.user_id, outcome.reservation, pending=session)
            session.commit()
        except BaseException:
            session.rollback()
            session.close()
            raise
        session.close()
        return outcome

    async def commit(self, admitted: Admitted) -> None:
        if admitted.pending is not None:
            await anyio.to_thread.run_sync(
                _commit_sync, admitted.pending, limiter=self._commit_threads
            )

    async def settle(self, ledger_id: int, **kwargs: Any) -> bool:
        def run() -> bool:
            with session_scope(self.factory) as session:
                return metering.settle(session, ledger_id, **kwargs)

        return await anyio.to_thread.run_sync(run)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(session, *args)`` in one committed transaction (upkeep work)."""

        def work() -> T:
            with session_scope(self.factory) as session:
                return fn(session, *args)

        return await anyio.to_thread.run_sync(work)

    async def aclose(self) -> None:
        pass  # the app owns these sessions' engine


def _commit_sync(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class AsyncStore:
    """An async engine of its own, steps run on the event loop (PostgreSQL)."""

    def __init__(self, settings: Settings) -> None:
        self.engine = create_async_engine(
            normalize_url(settings.database_url),
            pool_size=settings.coach_db_pool_size,
            max_overflow=0,  # part of the per-worker connection budget (config.py)
            pool_pre_ping=True,
        )
        self.factory = async_sessionmaker(self.engine, expire_on_commit=False)

    async def admit(
        self,
        settings: Settings,
        limiter: RateLimiter | None,
        token: str | None,
        *,
        reserve: ReserveRequest | None = None,
        user_id: str | None = None,
        defer_commit: bool = False,
    ) -> Admitted | Refusal:
        session = self.factory()
        try:
            outcome = await self._decide(session, settings, limiter, token, reserve, user_id)
            if defer_commit and isinstance(outcome, Admitted) and outcome.reservation:
                return Admitted(outcome.user_id, outcome.reservation, pending=session)
            await session.commit()
        except BaseException:
            with anyio.CancelScope(shield=True):
                await session.rollback()
                await session.close()
            raise
        await session.close()
        return outcome

    @staticmethod
    async def _decide(
        session: AsyncSession,
        settings: Settings,
        limiter: RateLimiter | None,
        token: str | None,
        reserve: ReserveRequest | None,
        user_id: str | None,
    ) -> Admitted | Refusal:
        if limiter is None or not limiter.uses_redis:
            return await session.run_sync(_decide, settings, limiter, token, reserve, user_id)
        # Redis is asked with its asyncio client, between two database steps.
        user = await session.run_sync(_authenticate, token, user_id)
        if isinstance(user, Refusal):
            return user
        try:
            decision = await limiter.hit_redis(user.id)
        except LimiterUnavailable:
            return LIMITER_DOWN
        refusal = _rate_refusal(limiter, decision)
        if refusal is not None:
            return refusal
        if reserve is None:
            return Admitted(user.id)
        return await session.run_sync(_reserve, settings, user, reserve)

    async def commit(self, admitted: Admitted) -> None:
        session: AsyncSession | None = admitted.pending
        if session is None:
            return
        try:
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        finally:
            await session.close()

    async def settle(self, ledger_id: int, **kwargs: Any) -> bool:
        async with self.factory() as session:
            settled: bool = await session.run_sync(
                lambda s: metering.settle(s, ledger_id, **kwargs)
            )
            await session.commit()
            return settled

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(session, *args)`` in one committed transaction, on the event loop."""
        async with self.factory() as session:
            result: T = await session.run_sync(fn, *args)
            await session.commit()
            return result

    async def aclose(self) -> None:
        await self.engine.dispose()


Store = ThreadedStore | AsyncStore


def make_store(settings: Settings, app_sessions: sessionmaker[Session]) -> Store:
    return ThreadedStore(app_sessions) if settings.is_sqlite else AsyncStore(settings)
