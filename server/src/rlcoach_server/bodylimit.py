"""Request body size caps (issue 13, item 3), as pure ASGI middleware.

Design:
- Every request body is capped: ``max_body_bytes`` (default 1 MiB: device and token forms,
  Stripe webhooks) and ``coach_max_body_bytes`` for ``/coach/`` (default 8 MiB: a coach
  conversation carries tool results). Over the cap the answer is 413, in the coach's
  Anthropic error shape under ``/coach/`` and ``{"detail": ...}`` elsewhere.
- A declared ``Content-Length`` over the cap is refused before a byte of the body is read.
  A chunked body is counted as it streams in and refused as soon as it crosses the cap, so
  a worker never holds more than the cap of any one body in memory.
- Bodies are only read when an endpoint asks: uvicorn stops reading the socket while a
  body waits unread, and the coach authenticates before it reads (``routes/coach.py``), so
  an anonymous flood costs a header parse and a token lookup, never the body.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

COACH_PREFIX = "/coach/"


class BodyTooLarge(Exception):
    """Raised from ``receive`` when a streamed body crosses its cap."""


def _too_large_body(path: str, limit: int) -> bytes:
    message = f"request body too large (limit {limit} bytes)"
    if path.startswith(COACH_PREFIX):
        payload: dict[str, Any] = {
            "type": "error",
            "error": {"type": "request_too_large", "message": message},
        }
    else:
        payload = {"detail": message}
    return json.dumps(payload).encode()


async def _send_413(send: Send, path: str, limit: int) -> None:
    body = _too_large_body(path, limit)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_body_bytes: int, coach_max_body_bytes: int) -> None:
        self.app = app
        self.default = max_body_bytes
        self.coach = coach_max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = self.coach if path.startswith(COACH_PREFIX) else self.default
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _send_413(send, path, limit)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _send_413(send, path, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
