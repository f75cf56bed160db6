"""A loopback fake of Anthropic's Messages API, driven by a script, for the real SDK.

It speaks the wire protocol the ``anthropic`` client parses: ``POST /v1/messages`` with
``stream: true`` answers with server-sent events (message_start, content_block_start,
ping, content_block_delta text_delta / input_json_delta, content_block_stop, message_delta
with usage incl. cache fields, message_stop); errors are HTTP statuses with Anthropic's
``{"type":"error","error":{...}}`` body (and headers such as retry-after).

Each request pops the next scripted ``Turn`` (blocks + usage) or ``Failure``, or a function
of the request body that returns one (a scripted "model" that reads its tool results); every request
body and its headers are recorded so tests can check what the client sent (tools,
cache_control breakpoints, tool_result blocks).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Turn:
    blocks: list[tuple]  # ("text", "...") | ("tool_use", name, input)
    input_tokens: int = 100
    output_tokens: int = 20
    cache_read: int = 0
    cache_write: int = 0
    stop: str | None = None  # stop_reason override, e.g. "refusal"
    pause: float = 0.0  # seconds between streamed events (to stop an answer mid-stream)


@dataclass
class Failure:
    status: int
    kind: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Recorded:
    headers: dict[str, str]
    body: dict[str, Any]


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


class FakeMessages:
    def __init__(self, api_key: str = "sk-ant-test") -> None:
        self.api_key = api_key
        self.script: list[Turn | Failure | Callable[[dict[str, Any]], Turn]] = []
        self.requests: list[Recorded] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(Recorded(dict(self.headers), body))
                # This SDK sends the key as a bearer token; older ones as x-api-key.
                sent = self.headers.get("x-api-key") or \
                    self.headers.get("authorization", "").removeprefix("Bearer ")
                if sent != fake.api_key:
                    return self._error(Failure(401, "authentication_error", "invalid x-api-key"))
                step = fake.script.pop(0) if fake.script else Turn([("text", "(script ended)")])
                if callable(step):
                    step = step(body)
                if isinstance(step, Failure):
                    return self._error(step)
                self._stream(step, body)

            def _error(self, failure: Failure) -> None:
                data = json.dumps({"type": "error", "error": {"type": failure.kind,
                                                              "message": failure.message}})
                self.send_response(failure.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("request-id", "req_fake")
                for k, v in failure.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data.encode())

            def _stream(self, turn: Turn, body: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("request-id", "req_fake")
                self.send_header("connection", "close")
                self.end_headers()
                usage = {"input_tokens": turn.input_tokens, "output_tokens": 1,
                         "cache_creation_input_tokens": turn.cache_write,
                         "cache_read_input_tokens": turn.cache_read}
                out = [_sse("message_start", {"type": "message_start", "message": {
                    "id": "msg_fake", "type": "message", "role": "assistant",
                    "model": body.get("model"), "content": [], "stop_reason": None,
                    "stop_sequence": None, "usage": usage}}), _sse("ping", {"type": "ping"})]
                stop = "end_turn"
                for i, block in enumerate(turn.blocks):
                    if block[0] == "text":
                        out.append(_sse("content_block_start", {
                            "type": "content_block_start", "index": i,
                            "content_block": {"type": "text", "text": ""}}))
                        words = block[1].split(" ")
                        for j, word in enumerate(words):
                            piece = word if j == 0 else " " + word
                            out.append(_sse("content_block_delta", {
                                "type": "content_block_delta", "index": i,
                                "delta": {"type": "text_delta", "text": piece}}))
                    else:
                        stop = "tool_use"
                        out.append(_sse("content_block_start", {
                            "type": "content_block_start", "index": i, "content_block": {
                                "type": "tool_use", "id": f"toolu_{len(fake.requests)}_{i}",
                                "name": block[1], "input": {}}}))
                        raw = json.dumps(block[2])
                        for part in (raw[: len(raw) // 2], raw[len(raw) // 2:]):
                            out.append(_sse("content_block_delta", {
                                "type": "content_block_delta", "index": i,
                                "delta": {"type": "input_json_delta", "partial_json": part}}))
                    out.append(_sse("content_block_stop", {"type": "content_block_stop",
                                                           "index": i}))
                stop = turn.stop or stop
                out.append(_sse("message_delta", {
                    "type": "message_delta", "delta": {"stop_reason": stop,
                                                       "stop_sequence": None},
                    "usage": {**usage, "output_tokens": turn.output_tokens}}))
                out.append(_sse("message_stop", {"type": "message_stop"}))
                for chunk in out:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    time.sleep(turn.pause)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # A short poll: shutdown() waits for the loop to look (0.5 s by default, per test).
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,),
                                       daemon=True)

    def __enter__(self) -> FakeMessages:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
