"""Admission of a coach call: authenticate, rate-limit, reserve, all in one DB transaction.

Design:
- The database work in front of the first upstream byte is the latency the proxy adds, so it
  is one thread-pool hop and ONE commit: token lookup, rate-window increment, tier lookup,
  allowance reservation and the pending ledger row.
- The rlcoach access token is accepted from ``Authorization: Bearer`` (our CLI) or
  ``x-api-key`` (what the Anthropic SDKs send when pointed at this server with
  ``api_key=<access token>``).
- Refusals are values (``Refusal``), not exceptions, so the route renders them in Anthropic's
  error shape and the transaction still commits the counted request / refusal ledger row.
- Blocking code: call it through ``run_in_threadpool``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from ..config import Settings
from ..db import session_scope
from ..models import User
from . import metering
from .coach_ratelimit import RateLimiter
from .tokens import user_for_access_token


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
    pending: Session | None = None


def bearer_token(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    key = headers.get("x-api-key", "").strip()
    return key or None


@dataclass(frozen=True)
class ReserveRequest:
    model: str
    stream: bool
    units: int


def admit(
    factory: sessionmaker[Session],
    settings: Settings,
    limiter: RateLimiter | None,
    token: str | None,
    *,
    reserve: ReserveRequest | None = None,
    user_id: str | None = None,
    defer_commit: bool = False,
) -> Admitted | Refusal:
    """Authenticate ``token`` (unless ``user_id`` is already known), count one request
    against the rate limit (when ``limiter`` is given) and reserve ``reserve.units``.

    ``defer_commit``: a successful reservation comes back uncommitted (``Admitted.pending``).
    The decision is already final (the allowance row is locked by then), so the caller can
    send the upstream request while ``commit`` waits for the WAL flush, instead of adding that
    fsync to the time to first byte; it must await ``commit`` before forwarding anything.
    """
    session = factory()
    try:
        outcome = _decide(session, settings, limiter, token, reserve, user_id)
        if defer_commit and isinstance(outcome, Admitted) and outcome.reservation is not None:
            return Admitted(outcome.user_id, outcome.reservation, pending=session)
        session.commit()
    except BaseException:
        session.rollback()
        session.close()
        raise
    session.close()
    return outcome


def commit(admitted: Admitted) -> None:
    """Make a deferred reservation durable (blocking: call through the thread pool)."""
    session = admitted.pending
    if session is None:
        return
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _decide(
    session: Session,
    settings: Settings,
    limiter: RateLimiter | None,
    token: str | None,
    reserve: ReserveRequest | None,
    user_id: str | None,
) -> Admitted | Refusal:
    if user_id is None:
        user = user_for_access_token(session, token) if token else None
        if user is None:
            return Refusal(
                401, "authentication_error", "missing, invalid or expired rlcoach access token"
            )
    else:
        user = session.get(User, user_id)
        if user is None:
            return Refusal(401, "authentication_error", "user no longer exists")
    if limiter is not None:
        decision = limiter.hit(session, user.id)
        if not decision.allowed:
            return Refusal(
                429,
                "rate_limit_error",
                f"too many coach requests: at most {limiter.limit} per "
                f"{limiter.window} s; retry in {decision.retry_after} s",
                {"retry-after": str(decision.retry_after)},
            )
    if reserve is None:
        return Admitted(user.id)
    tier = metering.user_tier(session, user, settings)
    limit = metering.allowance_for(settings, tier)
    reservation = metering.reserve(
        session,
        user_id=user.id,
        limit=limit,
        units=reserve.units,
        model=reserve.model,
        stream=reserve.stream,
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


def settle(factory: sessionmaker[Session], ledger_id: int, **kwargs: object) -> bool:
    with session_scope(factory) as session:
        return metering.settle(session, ledger_id, **kwargs)  # type: ignore[arg-type]
