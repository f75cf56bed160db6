"""Incremental reading of the Messages API's server-sent events, for pass-through and metering.

Design:
- ``SSESplitter`` cuts the upstream byte stream into whole events (blank-line terminated) and
  hands back their raw bytes unchanged. The proxy forwards each event the moment its last byte
  arrives: no buffering beyond one event, and the client never sees half an event, so when
  upstream breaks mid-event the proxy can still append a well-formed ``event: error``.
- ``UsageTracker`` looks only at the events that carry usage or state (``message_start``,
  ``message_delta``, ``message_stop``, ``error``) and parses JSON only for those: the many
  ``content_block_delta`` events cost a prefix comparison, nothing more.
- Deltas (``content_block_delta``) are parsed only for their length: the UTF-8 bytes of the
  text, thinking and tool-input JSON streamed so far bound the output tokens a call cut
  short has been billed for (a token is never shorter than one byte).
- Usage is cumulative in the API (``message_delta.usage`` repeats the running totals), so the
  tracker merges ``message_start.message.usage`` and then every ``message_delta.usage`` with
  later values winning.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rlcoach_server.services.coach_pricing import TokenUsage

_EVENT_END = re.compile(rb"\r\n\r\n|\n\n|\r\r")
_INTERESTING = (b"message_start", b"message_delta", b"message_stop", b"error")
_DELTA = b"content_block_delta"
# The delta fields that carry billed output (signatures are not output tokens).
_OUTPUT_FIELDS = ("text", "thinking", "partial_json")


class SSESplitter:
    """Feed bytes, get back complete raw events (each including its terminating blank line)."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, chunk: bytes) -> list[bytes]:
        self._buf += chunk
        events: list[bytes] = []
        start = 0
        for m in _EVENT_END.finditer(self._buf):
            events.append(bytes(self._buf[start : m.end()]))
            start = m.end()
        if start:
            del self._buf[:start]
        return events

    @property
    def pending(self) -> int:
        """Bytes of an event still incomplete (non-zero after upstream cut mid-event)."""
        return len(self._buf)


def parse_event(raw: bytes) -> tuple[str | None, str]:
    """(event name, joined data) of one raw SSE event, per the WHATWG field rules."""
    name: str | None = None
    data: list[str] = []
    for line in raw.decode("utf-8", errors="replace").splitlines():
        if not line or line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
    return name, "\n".join(data)


class UsageTracker:
    """Follows one streamed message: usage so far, whether it finished, any error event."""

    def __init__(self) -> None:
        self.usage = TokenUsage()
        self.started = False  # message_start seen: upstream produced (and will bill) something
        self.final_usage = False  # message_delta seen: usage totals are final
        self.stopped = False  # message_stop seen
        self.error: dict[str, Any] | None = None
        self.output_bytes = 0  # UTF-8 bytes of the output deltas streamed so far

    def observe(self, raw: bytes) -> None:
        # Cheap pre-filter: the event name sits in the first line ("event: <name>").
        head = raw[:40]
        if _DELTA in head:
            self.output_bytes += _delta_bytes(raw)
            return
        if not any(tag in head for tag in _INTERESTING):
            return
        name, data = parse_event(raw)
        if name == "message_stop":
            self.stopped = True
            return
        try:
            payload = json.loads(data) if data else {}
        except json.JSONDecodeError:
            return
        if name == "message_start":
            self.started = True
            self.usage.update((payload.get("message") or {}).get("usage"))
        elif name == "message_delta":
            self.usage.update(payload.get("usage"))
            self.final_usage = True
        elif name == "error":
            self.error = payload.get("error") or {"type": "api_error", "message": data}


def _delta_bytes(raw: bytes) -> int:
    try:
        delta = json.loads(parse_event(raw)[1]).get("delta") or {}
    except (json.JSONDecodeError, AttributeError):
        return len(raw)  # unreadable: its whole size still bounds it
    return sum(
        len(value.encode("utf-8"))
        for key in _OUTPUT_FIELDS
        if isinstance(value := delta.get(key), str)
    )


def error_event(kind: str, message: str) -> bytes:
    body = {"type": "error", "error": {"type": kind, "message": message}}
    return f"event: error\ndata: {json.dumps(body)}\n\n".encode()
