"""Forwarding an upstream Messages API response to the client, and settling the call.

Design:
- Streams are relayed event by event (``SSESplitter``), never buffered whole; usage is
  tracked on the side (``UsageTracker``) and the call is settled before its last event is
  forwarded, so a client that has seen the end of its stream also sees it in its usage.
- Settlement rules (``_outcome``), as Anthropic bills:
  * final usage seen (``message_delta``) -> its real cost;
  * upstream failed before ``message_start`` (``event: error`` first, connection cut or
    closed) -> nothing;
  * started but cut short (client hung up, upstream cut, closed cleanly or sent an error
    mid-stream) -> the input ``message_start`` reported plus the output streamed so far,
    bounded by its UTF-8 length (a token is never shorter than a byte); never more than the
    reservation;
  * client hung up before ``message_start`` -> the input bound (upstream may have read it);
  * a non-streaming response that broke while being read -> the reservation (upstream
    produced the whole answer and we saw none of its usage).
- If upstream breaks or closes mid-stream the client gets a well-formed ``event: error``
  (``api_error``) instead of a truncated stream.
- ``Meter.settle`` is the call's callback (one shielded DB hop); it runs at most once.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import anyio
import httpx
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from .coach_pricing import ModelPrice, TokenUsage, cost_units, worst_case_units
from .coach_sse import SSESplitter, UsageTracker, error_event

Settle = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class Meter:
    """How one call is priced and settled."""

    price: ModelPrice
    reserved: int  # units reserved: the most this call may be charged
    input_bound: int  # the input tokens the reservation assumed
    request_id: str | None
    settle: Settle


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


async def non_streaming(resp: httpx.Response, meter: Meter) -> Response:
    price, reserved, request_id, settle = (
        meter.price,
        meter.reserved,
        meter.request_id,
        meter.settle,
    )
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


def _outcome(tracker: UsageTracker, ending: str, meter: Meter) -> tuple[str, int]:
    """(ledger status, cost) of a stream that ended as ``ending`` (see module doc)."""
    if tracker.error is not None:
        status = "stream_error"
    elif ending == "complete":
        status = "ok" if tracker.stopped else "dropped"
    else:
        status = ending
    if tracker.final_usage:
        return status, cost_units(meter.price, tracker.usage)
    if not tracker.started:
        if status in ("stream_error", "dropped"):
            return "upstream_error", 0  # upstream failed before producing anything
        return status, min(meter.reserved, worst_case_units(meter.price, meter.input_bound, 0))
    return status, min(meter.reserved, cost_units(meter.price, streamed_usage(tracker)))


def streamed_usage(tracker: UsageTracker) -> TokenUsage:
    """``message_start``'s usage with the output streamed so far (its byte length bounds it)."""
    usage = tracker.usage
    return TokenUsage(
        usage.input_tokens,
        max(usage.output_tokens, tracker.output_bytes),
        usage.cache_write_tokens,
        usage.cache_read_tokens,
        usage.cache_write_1h_tokens,
    )


async def relay(resp: httpx.Response, meter: Meter) -> AsyncIterator[bytes]:
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
        status, cost = _outcome(tracker, ending, meter)
        if tracker.error is not None:
            detail = json.dumps(tracker.error)
        usage = tracker.usage if tracker.final_usage else streamed_usage(tracker)
        await meter.settle(
            status=status,
            cost=cost,
            usage=usage,
            request_id=meter.request_id,
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
            if not (tracker.stopped or tracker.error is not None):
                # A clean close before message_stop is a cut like any other.
                ending, detail = "dropped", "upstream closed the stream before message_stop"
                await finish(ending, detail)
                yield error_event("api_error", "Anthropic ended the stream early")
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
