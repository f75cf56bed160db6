"""One metered coach call: validate, reserve, forward, settle.

Design:
- Order of a call: validate the body (pure CPU, ``coach_request``) -> one DB hop (auth, rate
  limit, reserve the worst case; ``coach_admission``) -> send upstream while the
  reservation's commit completes -> relay (``coach_relay``, which also settles: one DB hop,
  shielded so a client that hangs up still gets charged).
- Nothing is forwarded, and nothing settled, before the reservation is durable.
- Every answer is in Anthropic's error shape (``coach_relay.error``) so the SDKs raise their
  usual typed exceptions; the route only passes the request in and the response out.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
from fastapi.responses import Response

from ..config import Settings
from . import coach_admission as admission
from . import coach_relay as relay
from . import coach_request
from .anthropic_upstream import Upstream
from .coach_pricing import ModelPrice, price_table, worst_case_units
from .coach_ratelimit import RateLimiter

log = logging.getLogger(__name__)


@dataclass
class CoachState:
    settings: Settings
    upstream: Upstream
    prices: dict[str, ModelPrice]
    limiter: RateLimiter
    # Admission and settlement. On PostgreSQL an async engine with a pool of its own: the
    # app's default pool keeps 5 connections and closes overflow ones on return, which meant
    # a new PostgreSQL backend (a fork, milliseconds) for many calls under load.
    store: admission.Store


def state_of(app: Any) -> CoachState:
    """The app's coach state, built on first use: the httpx clients and the async engine
    belong to the serving event loop, and the coach needs nothing at import time."""
    state: CoachState | None = getattr(app.state, "coach", None)
    if state is None:
        settings: Settings = app.state.settings
        state = CoachState(
            settings,
            Upstream(settings),
            price_table(settings.coach_prices),
            RateLimiter(settings),
            admission.make_store(settings, app.state.sessionmaker),
        )
        app.state.coach = state
    return state


def render(refusal: admission.Refusal) -> Response:
    return relay.error(refusal.status, refusal.error_type, refusal.message, refusal.headers)


NOT_CONFIGURED = (503, "api_error", "the coach is not configured on this server")


@dataclass(frozen=True)
class Call:
    """What the relay needs of an admitted call."""

    body: dict[str, Any]
    price: ModelPrice
    admitted: admission.Admitted
    input_bound: int


async def create_message(
    state: CoachState, token: str | None, raw: bytes, client_headers: dict[str, str]
) -> Response:
    if not state.upstream.configured:
        return relay.error(*NOT_CONFIGURED)
    call = await _admit(state, token, raw, client_headers)
    if isinstance(call, Response):
        return call
    reservation = call.admitted.reservation
    assert reservation is not None

    async def settle(**kwargs: Any) -> None:
        with anyio.CancelScope(shield=True):
            await state.store.settle(reservation.ledger_id, **kwargs)

    resp = await _open(state, call, client_headers, settle)
    if isinstance(resp, Response):
        return resp
    request_id = resp.headers.get("request-id")
    if resp.status_code != 200:
        return await _upstream_refused(resp, request_id, settle)
    meter = relay.Meter(call.price, reservation.units, call.input_bound, request_id, settle)
    if not call.body.get("stream"):
        return await relay.non_streaming(resp, meter)
    return relay.MeteredStream(
        relay.relay(resp, meter),
        media_type="text/event-stream",
        headers={
            **relay.passthrough_headers(resp),
            "cache-control": "no-cache",
            "x-accel-buffering": "no",
        },
    )


async def _admit(
    state: CoachState, token: str | None, raw: bytes, client_headers: dict[str, str]
) -> Call | Response:
    """Validate, authenticate, rate-limit and reserve (commit deferred), or the refusal."""
    try:
        body = coach_request.validate(state.settings, state.prices, raw, counting=False)
    except coach_request.Invalid as exc:
        # Authenticate first anyway: anonymous callers learn nothing but "401".
        who = await state.store.admit(state.settings, None, token)
        if isinstance(who, admission.Refusal):
            return render(who)
        return relay.error(400, "invalid_request_error", str(exc))
    price = state.prices[body["model"]]
    user_id: str | None = None
    input_tokens = coach_request.input_bound(body)
    if state.settings.coach_count_tokens_upstream:
        who = await state.store.admit(state.settings, state.limiter, token)
        if isinstance(who, admission.Refusal):
            return render(who)
        user_id = who.user_id
        counted = {
            k: body[k] for k in ("model", "messages", "system", "tools", "tool_choice") if k in body
        }
        # Upstream unsure: stay with the conservative local bound.
        with contextlib.suppress(httpx.HTTPError, KeyError, ValueError):
            input_tokens = await state.upstream.count_tokens(
                json.dumps(counted).encode(), client_headers
            )
    units = worst_case_units(price, input_tokens, body["max_tokens"])
    outcome = await state.store.admit(
        state.settings,
        None if user_id is not None else state.limiter,
        token,
        reserve=admission.ReserveRequest(
            body["model"], bool(body.get("stream")), units, input_tokens
        ),
        user_id=user_id,
        defer_commit=True,
    )
    if isinstance(outcome, admission.Refusal):
        return render(outcome)
    body = coach_request.with_server_metadata(body, outcome.user_id)
    return Call(body, price, outcome, input_tokens)


async def _failure_of(task: asyncio.Future[Any]) -> BaseException | None:
    try:
        await task
    except Exception as exc:  # noqa: BLE001 - reported to the caller as a value
        return exc
    return None


async def _open(
    state: CoachState, call: Call, client_headers: dict[str, str], settle: relay.Settle
) -> httpx.Response | Response:
    """Send the call upstream while the reservation commits (a WAL flush) in parallel."""
    committing = asyncio.ensure_future(state.store.commit(call.admitted))
    resp: httpx.Response | None = None
    open_error: BaseException | None = None
    try:
        resp = await state.upstream.open(
            "/v1/messages", json.dumps(call.body).encode(), client_headers
        )
    except BaseException as exc:  # re-raised below unless it is an HTTP failure
        open_error = exc
    with anyio.CancelScope(shield=True):
        commit_error = await _failure_of(committing)
    if commit_error is not None:
        log.error("coach: could not commit a reservation: %r", commit_error)
        if resp is not None:
            await resp.aclose()
        return relay.error(503, "api_error", "the coach could not record this call; retry")
    if open_error is not None and not isinstance(open_error, httpx.HTTPError):
        await settle(status="upstream_error", cost=0, error=f"open: {open_error!r}")
        raise open_error
    if resp is None:
        await settle(status="upstream_error", cost=0, error=f"connect: {open_error!r}")
        return relay.error(
            502, "api_error", "the coach could not reach Anthropic; nothing was charged"
        )
    return resp


async def _upstream_refused(
    resp: httpx.Response, request_id: str | None, settle: relay.Settle
) -> Response:
    """Upstream answered an error status: nothing is billed; its error goes to the client."""
    try:
        content = await resp.aread()
    except httpx.HTTPError:
        content = b""
    finally:
        await resp.aclose()
    await settle(
        status="upstream_error",
        cost=0,
        request_id=request_id,
        error=f"HTTP {resp.status_code}: {content[:200].decode(errors='replace')}",
    )
    if not content.startswith(b"{"):
        return relay.error(
            502,
            "api_error",
            f"Anthropic answered HTTP {resp.status_code}",
            relay.passthrough_headers(resp),
        )
    return Response(
        content,
        status_code=resp.status_code,
        media_type="application/json",
        headers=relay.passthrough_headers(resp),
    )


async def count_tokens(
    state: CoachState, token: str | None, raw: bytes, client_headers: dict[str, str]
) -> Response:
    """``count_tokens`` passed through: free upstream, so rate-limited but not metered."""
    if not state.upstream.configured:
        return relay.error(*NOT_CONFIGURED)
    who = await state.store.admit(state.settings, state.limiter, token)
    if isinstance(who, admission.Refusal):
        return render(who)
    try:
        body = coach_request.validate(state.settings, state.prices, raw, counting=True)
    except coach_request.Invalid as exc:
        return relay.error(400, "invalid_request_error", str(exc))
    try:
        resp = await state.upstream.open(
            "/v1/messages/count_tokens", json.dumps(body).encode(), client_headers
        )
        try:
            content = await resp.aread()
        finally:
            await resp.aclose()
    except httpx.HTTPError:
        return relay.error(502, "api_error", "the coach could not reach Anthropic")
    return Response(
        content,
        status_code=resp.status_code,
        media_type="application/json",
        headers=relay.passthrough_headers(resp),
    )
