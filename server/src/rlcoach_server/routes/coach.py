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
from typing import Any

from fastapi import APIRouter, FastAPI, Request
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
    # The first heartbeat before serving anything, and a first sweep; then periodically.
    store = coach_call.state_of(app).store
    await coach_upkeep.upkeep_pass(store, settings)
    upkeep = asyncio.ensure_future(coach_upkeep.run_forever(store, settings))
    yield
    upkeep.cancel()
    state: CoachState | None = getattr(app.state, "coach", None)
    if state is not None:
        await state.upstream.aclose()
        await state.store.aclose()


router = APIRouter(prefix="/coach", tags=["coach"], lifespan=_lifespan)


# The request bodies, for the OpenAPI document (and the API fuzz test): the routes read the
# raw body themselves (validation is services.coach_request's), so FastAPI cannot infer them.
_CONTENT = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}]}
_COUNT_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["model", "messages"],
    "properties": {
        "model": {"type": "string"},
        "messages": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["role", "content"],
                "properties": {"role": {"enum": ["user", "assistant"]}, "content": _CONTENT},
            },
        },
        "system": _CONTENT,
        "tools": {"type": "array", "items": {"type": "object"}},
        "tool_choice": {"type": "object"},
        "thinking": {"type": "object"},
    },
}
_MESSAGE_BODY: dict[str, Any] = {
    **_COUNT_BODY,
    "required": ["model", "messages", "max_tokens"],
    "properties": {
        **_COUNT_BODY["properties"],
        "max_tokens": {"type": "integer"},
        "stream": {"type": "boolean"},
        "metadata": {"type": "object"},
        "stop_sequences": {"type": "array", "items": {"type": "string"}},
        "temperature": {"type": "number"},
        "top_k": {"type": "integer"},
        "top_p": {"type": "number"},
    },
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "invalid_request_error"},
    401: {"description": "authentication_error"},
    402: {"description": "billing_error: allowance exhausted"},
    429: {"description": "rate_limit_error"},
    502: {"description": "api_error: Anthropic unreachable"},
    503: {"description": "api_error: coach not configured, or its rate limiter unavailable"},
}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


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


@router.post("/v1/messages", responses=_ERRORS, openapi_extra=_body(_MESSAGE_BODY))
async def create_message(request: Request) -> Response:
    state = coach_call.state_of(request.app)
    raw = await _authenticated_body(request, state)
    if isinstance(raw, Response):
        return raw
    return await coach_call.create_message(state, _token(request), raw, _client_headers(request))


@router.post("/v1/messages/count_tokens", responses=_ERRORS, openapi_extra=_body(_COUNT_BODY))
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
