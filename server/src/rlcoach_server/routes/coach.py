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
- The routes are thin: a call's logic (validate, reserve, forward, settle) lives in
  ``services.coach_call``.
- Process-wide tuning done here because the coach is the hot path: ``gc.freeze()`` at startup
  (see ``_lifespan``), which also starts the periodic upkeep (``services.coach_upkeep``:
  heartbeat, sweep of calls left pending by a dead worker).
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from ..config import Settings
from ..db import session_scope
from ..services import coach_admission as admission
from ..services import coach_call, coach_upkeep, metering
from ..services import coach_relay as relay
from ..services.coach_call import CoachState
from ..services.tokens import user_for_access_token

log = logging.getLogger(__name__)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Everything alive once the app has started (modules, ORM mappers, compiled statements)
    # lives for the whole process. Freezing it keeps full collections from rescanning it:
    # measured under 100 concurrent streams, one gen-2 collection stalled the event loop for
    # 136 ms, i.e. every stream and every first byte waiting at that moment.
    gc.freeze()
    settings: Settings = app.state.settings
    try:  # the first heartbeat before serving anything, and a first sweep
        await run_in_threadpool(coach_upkeep.upkeep_once, app.state.sessionmaker, settings)
    except Exception:  # noqa: BLE001 - never keep the server from starting over this
        log.exception("coach: upkeep at startup failed")
    upkeep = asyncio.ensure_future(coach_upkeep.run_forever(app.state.sessionmaker, settings))
    yield
    upkeep.cancel()
    state: CoachState | None = getattr(app.state, "coach", None)
    if state is not None:
        await state.upstream.aclose()
        await state.store.aclose()


router = APIRouter(prefix="/coach", tags=["coach"], lifespan=_lifespan)


def _client_headers(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.headers.items() if k.startswith("anthropic-")}


async def _authenticated_body(request: Request, state: CoachState) -> bytes | Response:
    """Authenticate first, then read the body (capped by ``bodylimit.BodySizeLimit``): an
    anonymous caller's body is never read, however large it claims to be."""
    who = await state.store.admit(state.settings, None, _token(request))
    if isinstance(who, admission.Refusal):
        return coach_call.render(who)
    return await request.body()


def _token(request: Request) -> str | None:
    return admission.bearer_token(dict(request.headers))


@router.post("/v1/messages")
async def create_message(request: Request) -> Response:
    state = coach_call.state_of(request.app)
    raw = await _authenticated_body(request, state)
    if isinstance(raw, Response):
        return raw
    return await coach_call.create_message(state, _token(request), raw, _client_headers(request))


@router.post("/v1/messages/count_tokens")
async def count_tokens(request: Request) -> Response:
    state = coach_call.state_of(request.app)
    raw = await _authenticated_body(request, state)
    if isinstance(raw, Response):
        return raw
    return await coach_call.count_tokens(state, _token(request), raw, _client_headers(request))


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
