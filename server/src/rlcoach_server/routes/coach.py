"""The metered Claude coach: an Anthropic Messages API proxy under ``/coach``.

Endpoints:
- ``POST /coach/v1/messages``: the Messages API, streaming (SSE passed through event by event)
  and non-streaming. Point an Anthropic SDK at ``<server>/coach`` with the rlcoach access token
  as its API key.
- ``POST /coach/v1/messages/count_tokens``: passed through (free upstream, so not metered, but
  rate-limited).
- ``GET /coach/usage``: the caller's own usage this month (``metering.usage_summary``).

Design:
- Every error is in Anthropic's shape ``{"type":"error","error":{"type":..,"message":..}}`` so
  the SDKs raise their usual typed exceptions (400 invalid_request_error, 401
  authentication_error, 402 billing_error, 429 rate_limit_error, 502/503 api_error).
- Order of a call: validate the body (pure CPU; only parameters the price table can meter
  are forwarded) -> one DB hop (auth, rate limit, reserve the worst case) -> send upstream
  while the reservation's commit completes -> relay (``services.coach_relay``, which also
  settles: one DB hop, shielded so a client that hangs up still gets charged).
- Process-wide tuning done here because the coach is the hot path: ``gc.freeze()`` at startup
  and a metering connection pool of its own (see ``_lifespan``, ``_metering_sessions``).
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import anyio
import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from ..config import Settings
from ..db import session_scope
from ..services import coach_admission as admission
from ..services import coach_relay as relay
from ..services import metering
from ..services.anthropic_upstream import Upstream
from ..services.coach_pricing import (
    ModelPrice,
    estimate_input_tokens,
    price_table,
    worst_case_units,
)
from ..services.coach_ratelimit import RateLimiter
from ..services.tokens import user_for_access_token

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


def _state(app: Any) -> CoachState:
    # Built on first use rather than in create_app: the coach needs nothing at import time, and
    # the httpx clients and async engine belong to the serving event loop.
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


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Everything alive once the app has started (modules, ORM mappers, compiled statements)
    # lives for the whole process. Freezing it keeps full collections from rescanning it:
    # measured under 100 concurrent streams, one gen-2 collection stalled the event loop for
    # 136 ms, i.e. every stream and every first byte waiting at that moment.
    gc.freeze()
    await run_in_threadpool(_sweep_stale, app)
    yield
    state: CoachState | None = getattr(app.state, "coach", None)
    if state is not None:
        await state.upstream.aclose()
        await state.store.aclose()


def _sweep_stale(app: Any) -> None:
    """Charge calls a previous process left ``pending`` (it died mid-call), so their units do
    not stay reserved forever. Only calls far older than any call can last are touched."""
    settings: Settings = app.state.settings
    older_than = timedelta(seconds=max(3600.0, 2 * settings.anthropic_timeout_seconds))
    try:
        with session_scope(app.state.sessionmaker) as session:
            swept = metering.sweep_stale(session, older_than)
    except Exception:  # noqa: BLE001 - never keep the server from starting over this
        log.exception("coach: sweeping stale reservations failed")
        return
    if swept:
        log.warning("coach: charged %d call(s) left pending by a stopped worker", swept)


router = APIRouter(prefix="/coach", tags=["coach"], lifespan=_lifespan)


def _render(refusal: admission.Refusal) -> Response:
    return relay.error(refusal.status, refusal.error_type, refusal.message, refusal.headers)


# Parameters passed upstream. Anything else is refused rather than forwarded, because the
# price table only knows token counts: server tools (web search, code execution), MCP
# servers, containers, priority/fast service tiers and betas bill in other ways.
COUNT_PARAMS = frozenset({"model", "messages", "system", "tools", "tool_choice", "thinking"})
MESSAGE_PARAMS = COUNT_PARAMS | {
    "max_tokens",
    "stream",
    "metadata",
    "stop_sequences",
    "temperature",
    "top_k",
    "top_p",
}


class _Invalid(Exception):
    pass


def _validate(state: CoachState, raw: bytes, *, counting: bool) -> dict[str, Any]:
    """The parsed body with max_tokens clamped; raises _Invalid with a client-facing reason."""
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _Invalid("request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise _Invalid("request body must be a JSON object")
    model = body.get("model")
    allowed = [m for m in state.settings.coach_models if m in state.prices]
    if not isinstance(model, str) or model not in allowed:
        raise _Invalid(
            f"model {model!r} is not available on this server; use one of: " + ", ".join(allowed)
        )
    if not isinstance(body.get("messages"), list) or not body["messages"]:
        raise _Invalid("messages: a non-empty list is required")
    unknown = sorted(set(body) - (COUNT_PARAMS if counting else MESSAGE_PARAMS))
    if unknown:
        raise _Invalid(f"not available through the coach: {', '.join(unknown)}")
    tools = body.get("tools") or []
    if not isinstance(tools, list) or any(
        not isinstance(t, dict) or t.get("type", "custom") != "custom" for t in tools
    ):
        raise _Invalid("tools: only custom tools (name, description, input_schema) are available")
    if counting:
        return body
    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise _Invalid("max_tokens: a positive integer is required")
    # Clamp rather than refuse: the cap is this server's policy, not the caller's mistake.
    body["max_tokens"] = min(max_tokens, state.settings.coach_max_tokens)
    return body


async def _failure_of(task: asyncio.Future[Any]) -> BaseException | None:
    try:
        await task
    except Exception as exc:  # noqa: BLE001 - reported to the caller as a value
        return exc
    return None


def _client_headers(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.headers.items() if k.startswith("anthropic-")}


@router.post("/v1/messages")
async def create_message(request: Request) -> Response:
    state = _state(request.app)
    if not state.upstream.configured:
        return relay.error(503, "api_error", "the coach is not configured on this server")
    token = admission.bearer_token(dict(request.headers))
    raw = await request.body()
    try:
        body = _validate(state, raw, counting=False)
    except _Invalid as exc:
        # Authenticate first anyway: anonymous callers learn nothing but "401".
        who = await state.store.admit(state.settings, None, token)
        if isinstance(who, admission.Refusal):
            return _render(who)
        return relay.error(400, "invalid_request_error", str(exc))

    model, stream = body["model"], bool(body.get("stream"))
    price = state.prices[model]
    user_id: str | None = None
    if state.settings.coach_count_tokens_upstream:
        who = await state.store.admit(state.settings, state.limiter, token)
        if isinstance(who, admission.Refusal):
            return _render(who)
        user_id = who.user_id
        counted = {
            k: body[k] for k in ("model", "messages", "system", "tools", "tool_choice") if k in body
        }
        try:
            input_tokens = await state.upstream.count_tokens(
                json.dumps(counted).encode(), _client_headers(request)
            )
        except (httpx.HTTPError, KeyError, ValueError):
            input_tokens = estimate_input_tokens(body)  # upstream unsure: stay conservative
    else:
        input_tokens = estimate_input_tokens(body)
    units = worst_case_units(price, input_tokens, body["max_tokens"])
    outcome = await state.store.admit(
        state.settings,
        None if user_id is not None else state.limiter,
        token,
        reserve=admission.ReserveRequest(model, stream, units),
        user_id=user_id,
        defer_commit=True,
    )
    if isinstance(outcome, admission.Refusal):
        return _render(outcome)
    reservation = outcome.reservation
    assert reservation is not None

    async def settle(**kwargs: Any) -> None:
        with anyio.CancelScope(shield=True):
            await state.store.settle(reservation.ledger_id, **kwargs)

    # The reservation's commit (a WAL flush) overlaps the upstream request; nothing is
    # forwarded, and nothing settled, before it is durable.
    committing = asyncio.ensure_future(state.store.commit(outcome))
    resp: httpx.Response | None = None
    open_error: BaseException | None = None
    try:
        resp = await state.upstream.open(
            "/v1/messages", json.dumps(body).encode(), _client_headers(request)
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
    request_id = resp.headers.get("request-id")
    if resp.status_code != 200:
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

    if not stream:
        return await relay.non_streaming(resp, price, reservation.units, request_id, settle)
    return relay.MeteredStream(
        relay.relay(resp, price, reservation.units, request_id, settle),
        media_type="text/event-stream",
        headers={
            **relay.passthrough_headers(resp),
            "cache-control": "no-cache",
            "x-accel-buffering": "no",
        },
    )


@router.post("/v1/messages/count_tokens")
async def count_tokens(request: Request) -> Response:
    state = _state(request.app)
    if not state.upstream.configured:
        return relay.error(503, "api_error", "the coach is not configured on this server")
    token = admission.bearer_token(dict(request.headers))
    who = await state.store.admit(state.settings, state.limiter, token)
    if isinstance(who, admission.Refusal):
        return _render(who)
    try:
        body = _validate(state, await request.body(), counting=True)
    except _Invalid as exc:
        return relay.error(400, "invalid_request_error", str(exc))
    try:
        resp = await state.upstream.open(
            "/v1/messages/count_tokens", json.dumps(body).encode(), _client_headers(request)
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


@router.get("/usage")
def usage(request: Request) -> Response:
    """The caller's own coach usage this month (sync: FastAPI runs it in the thread pool)."""
    token = admission.bearer_token(dict(request.headers))
    with session_scope(request.app.state.sessionmaker) as session:
        user = user_for_access_token(session, token) if token else None
        if user is None:
            return relay.error(
                401, "authentication_error", "missing, invalid or expired rlcoach access token"
            )
        return JSONResponse(metering.usage_summary(session, user, request.app.state.settings))
