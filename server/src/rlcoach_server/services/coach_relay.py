"""Forwarding an upstream Messages API response to the client, and settling the call.

Design:
- Streams are relayed event by event (``SSESplitter``), never buffered whole; usage is
  tracked on the side (``UsageTracker``) and the call is settled before its last event is
  forwarded, so a client that has seen the end of its stream also sees it in its usage.
- Settlement rules: final usage seen (``message_delta``) -> its real cost; upstream failed
  before ``message_start`` (``event: error`` first, connection cut) -> nothing; anything else
  (cut mid-stream, error after start, client hung up) -> the reservation, because Anthropic
  bills what it started.
- If upstream breaks mid-stream the client gets a well-formed ``event: error``
  (``api_error``) instead of a truncated stream.
- ``settle`` is the route's callback (one shielded DB hop); it runs at most once per call.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable

import anyio
import httpx
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from .coach_pricing import ModelPrice, TokenUsage, cost_units
from .coach_sse import SSESplitter, UsageTracker, error_event

Settle = Callable[..., Awaitable[None]]


def error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(
        {"type": "error", "error": {"type": kind, "message": message}},
        status_code=status,
        headers=headers,
    )


def passthrough_headers(resp: httpx.Response) -> dict[str, str]:
    return {k: resp.headers[k] for k in ("request-id", "retry-after") if k in resp.headers}


def _identity(resp: httpx.Response) -> bool:
    return resp.headers.get("content-encoding", "identity").lower() in ("identity", "")


async def non_streaming(
    resp: httpx.Response, price: ModelPrice, reserved: int, request_id: str | None, settle: Settle
) -> Response:
    try:
        content = await resp.aread()
    except httpx.HTTPError as exc:
        await settle(status="dropped", cost=reserved, request_id=request_id, error=f"read: {exc!r}")
        return error(502, "api_error", "the connection to Anthropic broke")
    finally:
        await resp.aclose()
    usage = TokenUsage()
    try:
        usage.update(json.loads(content).get("usage"))
        found = True
    except (json.JSONDecodeError, AttributeError):
        found = False
    if found:
        await settle(status="ok", cost=cost_units(price, usage), usage=usage, request_id=request_id)
    else:
        await settle(
            status="ok",
            cost=reserved,
            request_id=request_id,
            error="response carried no usage; charged the reservation",
        )
    return Response(content, media_type="application/json", headers=passthrough_headers(resp))


def _outcome(
    tracker: UsageTracker, ending: str, price: ModelPrice, reserved: int
) -> tuple[str, int]:
    """(ledger status, cost) of a stream that ended as ``ending`` (see module doc)."""
    if tracker.error is not None:
        status = "stream_error"
    elif ending == "complete":
        status = "ok" if tracker.stopped else "dropped"
    else:
        status = ending
    if tracker.final_usage:
        return status, cost_units(price, tracker.usage)
    if not tracker.started and status in ("stream_error", "dropped"):
        return "upstream_error", 0  # upstream failed before producing anything
    return status, reserved


async def relay(
    resp: httpx.Response, price: ModelPrice, reserved: int, request_id: str | None, settle: Settle
) -> AsyncIterator[bytes]:
    """Forward upstream events one by one while tracking usage; settle however it ends.

    The call is settled *before* its last event (message_stop, error) is forwarded, so by the
    time a client sees the end of its stream the ledger and allowance already show it.
    """
    tracker, splitter = UsageTracker(), SSESplitter()
    ending, detail = "client_closed", "client disconnected"
    settled = False

    async def finish(ending: str, detail: str) -> None:
        nonlocal settled
        if settled:
            return
        settled = True
        status, cost = _outcome(tracker, ending, price, reserved)
        if tracker.error is not None:
            detail = json.dumps(tracker.error)
        await settle(
            status=status,
            cost=cost,
            usage=tracker.usage,
            request_id=request_id,
            error=detail or None,
        )

    try:
        try:
            # Raw bytes: we asked for ``accept-encoding: identity``, so there is nothing to
            # decode, and skipping httpx's decoder chain is measurably cheaper per event.
            chunks = resp.aiter_raw() if _identity(resp) else resp.aiter_bytes()
            async for chunk in chunks:
                for event in splitter.feed(chunk):
                    tracker.observe(event)
                    if tracker.stopped or tracker.error is not None:
                        await finish("complete", "")
                    yield event
            ending, detail = "complete", ""
        except httpx.HTTPError as exc:
            ending, detail = "dropped", f"upstream stream broke: {exc!r}"
            await finish(ending, detail)
            # Whatever partial event was in flight is discarded; the client gets a
            # well-formed error event instead of a truncated stream.
            yield error_event("api_error", "the connection to Anthropic broke mid-stream")
    finally:
        # Shielded: on a client hang-up this code runs inside a cancelled scope, where any
        # unshielded await would be cancelled again before the call is settled.
        with anyio.CancelScope(shield=True):
            await resp.aclose()
            await finish(ending, detail)


class MeteredStream(StreamingResponse):
    """A StreamingResponse that always closes its body iterator, so ``relay``'s ``finally``
    (settlement) runs even when the client disconnects while the iterator sits at a yield."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await self.body_iterator.aclose()  # type: ignore[attr-defined]
