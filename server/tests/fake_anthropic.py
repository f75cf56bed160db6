"""A fake Anthropic Messages API on a real loopback HTTP server, for tests and benchmarks.

Design:
- A small Starlette app served by uvicorn in a background thread (``ServerThread``), so the
  coach proxy talks to it over real TCP with its real httpx client, exactly as it would talk
  to api.anthropic.com. Nothing of our own code is mocked.
- It emits the event sequences the real API emits (message_start, content_block_start,
  ping, content_block_delta text_delta / input_json_delta, content_block_stop,
  message_delta with cumulative usage, message_stop), each as ``event: X\\ndata: {...}\\n\\n``.
- The scenario is picked by a marker in the request's text, e.g. ``[fake:tool_use]``, because
  the proxy forwards the body but (rightly) not arbitrary client headers. Scenarios:
  ``text`` (default), ``tool_use``, ``cache`` (cache write/read usage; ``cache_hour``: the writes
  for 1 hour), ``error_mid_stream``
  (``event: error`` after some output), ``error_before_start`` (``event: error`` first),
  ``overloaded`` (HTTP 529 overloaded_error), ``server_error`` (HTTP 500 api_error),
  ``drop`` (connection cut mid-stream), ``drop_after_usage`` (cut after message_delta),
  ``close`` (the body ends cleanly mid-stream, no message_delta/message_stop).
  ``[fake:delay=0.5]`` waits before answering (lets concurrency tests overlap requests);
  ``[fake:pace=0.05]`` waits between text deltas, ``[fake:words=N]`` sends N of them; ``[fake:in=N]``, ``[fake:cw=N]``,
  ``[fake:cwh=N]`` and ``[fake:out=N]`` set the reported input, 5-minute and 1-hour
  cache-write and output tokens exactly.
- Input tokens are ``ceil(len(json(messages, system, tools)) / 4)``: deterministic and always
  below the proxy's conservative byte-count estimate, like real tokenization would be; plus
  ``IMAGE_TOKENS`` per image block whatever its source, as the API bills a full-size image
  (a URL of 85 bytes included).
- Every request is recorded (path, headers, body) so tests can check what the proxy sent.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

MODEL = "claude-sonnet-4-6"  # a model of the server's default allowlist
UPSTREAM_KEY = "sk-ant-fake-upstream-key"
FAKE_TEXT = ["Hello", "! Try", " boosting", " less", " on", " kickoff", "."]
IMAGE_TOKENS = 1600
_MARKER = re.compile(r"\[fake:([a-z_]+)(?:=([0-9.]+))?\]")


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def _error_body(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


class DroppedConnection(Exception):
    """Raised inside the response generator so uvicorn cuts the connection mid-body."""


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeAnthropic:
    """The fake API. ``api_key`` is the key the proxy must send; ``delta_delay`` paces deltas."""

    api_key: str = UPSTREAM_KEY
    delta_delay: float = 0.0
    text: list[str] = field(default_factory=lambda: list(FAKE_TEXT))
    requests: list[Recorded] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def input_tokens(body: dict[str, Any]) -> int:
        counted = {k: body.get(k) for k in ("system", "messages", "tools")}
        images = json.dumps(counted).count('"type": "image"')
        return max(1, math.ceil(len(json.dumps(counted)) / 4)) + IMAGE_TOKENS * images

    @staticmethod
    def scenario(body: dict[str, Any]) -> tuple[str, dict[str, float]]:
        """(scenario, numeric options such as delay/pace) from markers in the request's text."""
        found = _MARKER.findall(json.dumps(body.get("messages", [])))
        name, options = "text", {}
        for key, value in found:
            if value:
                options[key] = float(value)
            else:
                name = key
        return name, options

    def _usage(self, scenario: str, input_tokens: int) -> dict[str, Any]:
        # Like the API: cache_creation splits the written tokens by TTL.
        if scenario in ("cache", "cache_hour"):
            one_hour = 100 if scenario == "cache_hour" else 0
            return {
                "input_tokens": input_tokens,
                "cache_creation_input_tokens": 100,
                "cache_read_input_tokens": 1000,
                "cache_creation": {
                    "ephemeral_5m_input_tokens": 100 - one_hour,
                    "ephemeral_1h_input_tokens": one_hour,
                },
                "output_tokens": 1,
            }
        return {
            "input_tokens": input_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
            "output_tokens": 1,
        }

    # ------------------------------------------------------------------ ASGI
    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/messages", self._messages, methods=["POST"]),
                Route("/v1/messages/count_tokens", self._count_tokens, methods=["POST"]),
            ]
        )

    async def _auth(self, request: Request) -> tuple[dict[str, Any] | None, Response | None]:
        body = await request.json()
        self.requests.append(Recorded(request.url.path, dict(request.headers), body))
        if request.headers.get("x-api-key") != self.api_key:
            return None, JSONResponse(
                _error_body("authentication_error", "invalid x-api-key"), status_code=401
            )
        if not request.headers.get("anthropic-version"):
            return None, JSONResponse(
                _error_body("invalid_request_error", "anthropic-version header is required"),
                status_code=400,
            )
        return body, None

    async def _count_tokens(self, request: Request) -> Response:
        body, err = await self._auth(request)
        if err is not None:
            return err
        assert body is not None
        return JSONResponse(
            {"input_tokens": self.input_tokens(body)},
            headers={"request-id": f"req_fake_{next(self._ids)}"},
        )

    async def _messages(self, request: Request) -> Response:
        body, err = await self._auth(request)
        if err is not None:
            return err
        assert body is not None
        scenario, options = self.scenario(body)
        if options.get("delay"):
            await asyncio.sleep(options["delay"])
        headers = {"request-id": f"req_fake_{next(self._ids)}"}
        if scenario == "overloaded":
            return JSONResponse(
                _error_body("overloaded_error", "Overloaded"), status_code=529, headers=headers
            )
        if scenario == "server_error":
            return JSONResponse(
                _error_body("api_error", "Internal server error"), status_code=500, headers=headers
            )
        msg_id = f"msg_fake_{headers['request-id'][9:]}"
        usage = self._usage(scenario, self.input_tokens(body))
        # [fake:in=N] / [fake:cw=N] (5-minute cache writes) / [fake:cwh=N] (1-hour cache
        # writes) / [fake:out=N] dictate the reported usage exactly.
        if "in" in options:
            usage["input_tokens"] = int(options["in"])
        for key, ttl in (("cw", "ephemeral_5m_input_tokens"), ("cwh", "ephemeral_1h_input_tokens")):
            if key in options:
                usage["cache_creation_input_tokens"] = int(options[key])
                usage["cache_creation"] = {
                    "ephemeral_5m_input_tokens": 0,
                    "ephemeral_1h_input_tokens": 0,
                    ttl: int(options[key]),
                }
        out_override = int(options["out"]) if "out" in options else None
        words = int(options["words"]) if "words" in options else None
        output = self._output(scenario, int(body["max_tokens"]), words)
        if body.get("stream"):
            pace = options.get("pace", self.delta_delay)
            return StreamingResponse(
                self._events(scenario, body, msg_id, usage, output, pace, out_override),
                media_type="text/event-stream",
                headers={**headers, "cache-control": "no-cache"},
            )
        return JSONResponse(
            self._message(scenario, body, msg_id, usage, output, out_override),
            headers=headers,
        )

    # ------------------------------------------------------------------ bodies
    def _output(self, scenario: str, max_tokens: int, words: int | None) -> tuple[list[str], str]:
        wanted = words or len(self.text)
        pieces = [self.text[i % len(self.text)] for i in range(min(wanted, max_tokens))]
        stop = "end_turn" if len(pieces) == wanted else "max_tokens"
        if scenario == "tool_use":
            stop = "tool_use"
        return pieces, stop

    def _message(
        self,
        scenario: str,
        body: dict[str, Any],
        msg_id: str,
        usage: dict[str, int],
        output: tuple[list[str], str],
        out_override: int | None = None,
    ) -> dict[str, Any]:
        pieces, stop = output
        content: list[dict[str, Any]] = [{"type": "text", "text": "".join(pieces)}]
        out = len(pieces)
        if scenario == "tool_use":
            content.append(
                {
                    "type": "tool_use",
                    "id": "toolu_fake_1",
                    "name": "get_replay_stats",
                    "input": {"replay_id": "r1", "metric": "boost"},
                }
            )
            out += 5
        return {
            "id": msg_id,
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {**usage, "output_tokens": out if out_override is None else out_override},
        }

    async def _events(
        self,
        scenario: str,
        body: dict[str, Any],
        msg_id: str,
        usage: dict[str, int],
        output: tuple[list[str], str],
        pace: float,
        out_override: int | None = None,
    ) -> Any:
        if scenario == "error_before_start":
            yield _sse("error", _error_body("overloaded_error", "Overloaded"))
            return
        message = {
            "id": msg_id,
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": usage,
        }
        yield _sse("message_start", {"type": "message_start", "message": message})
        yield _sse(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        )
        yield _sse("ping", {"type": "ping"})
        pieces, stop = output
        out = 0
        for i, piece in enumerate(pieces):
            if pace:
                await asyncio.sleep(pace)
            yield _sse(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": piece},
                },
            )
            out += 1
            if i == 1 and scenario == "error_mid_stream":
                yield _sse("error", _error_body("overloaded_error", "Overloaded"))
                return
            if i == 1 and scenario == "drop":
                raise DroppedConnection("fake upstream cut the connection mid-stream")
            if i == 1 and scenario == "close":
                return
        yield _sse("content_block_stop", {"type": "content_block_stop", "index": 0})
        if scenario == "tool_use":
            yield _sse(
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": 1,
                    "content_block": {
                        "type": "tool_use",
                        "id": "toolu_fake_1",
                        "name": "get_replay_stats",
                        "input": {},
                    },
                },
            )
            for part in ["", '{"replay_id": "r1"', ', "metric": ', '"boost"}']:
                yield _sse(
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": 1,
                        "delta": {"type": "input_json_delta", "partial_json": part},
                    },
                )
            yield _sse("content_block_stop", {"type": "content_block_stop", "index": 1})
            out += 5
        # message_delta usage is cumulative (the API's documented behaviour).
        yield _sse(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {**usage, "output_tokens": out if out_override is None else out_override},
            },
        )
        if scenario == "drop_after_usage":
            raise DroppedConnection("fake upstream cut the connection after usage")
        yield _sse("message_stop", {"type": "message_stop"})


class ServerThread:
    """Runs an ASGI app with uvicorn on 127.0.0.1:<free port> in a daemon thread."""

    def __init__(self, app: Any, *, log_level: str = "warning", **config: Any) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        cfg = uvicorn.Config(app, log_level=log_level, lifespan="on", **config)
        self.server = uvicorn.Server(cfg)
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def __enter__(self) -> ServerThread:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()
