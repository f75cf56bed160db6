"""Body size caps and authentication before the coach reads a body (issue 13, item 3).

Against a real uvicorn worker process, over raw sockets: a client declaring or streaming a
huge body must get its answer (401 or 413) without the server reading the whole body, and
the worker's peak memory must stay bounded under a flood.
"""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import build_settings
from server_process import server_process

pytestmark = pytest.mark.postgres_only

MB = 1024 * 1024
CHUNK = b"x" * (256 * 1024)


def _raw_post(
    port: int,
    path: str,
    headers: dict[str, str],
    total: int,
    chunked: bool,
    send_at_most: int | None = None,
):
    """POST a body of ``total`` bytes (declared, or chunked); stop sending when the server
    answers or hangs up, or after ``send_at_most`` bytes (then wait for the answer).
    Returns (status or None, bytes sent, seconds until the answer)."""
    start = time.perf_counter()
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    head = {"Host": "127.0.0.1", "Content-Type": "application/json", **headers}
    if chunked:
        head["Transfer-Encoding"] = "chunked"
    else:
        head["Content-Length"] = str(total)
    request = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items())
    sock.sendall(request.encode() + b"\r\n")
    sent = 0
    sock.setblocking(False)
    answer = b""
    try:
        while sent < min(total, send_at_most or total):
            try:
                answer += sock.recv(65536)
                if answer:
                    break
            except BlockingIOError:
                pass
            data = b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK) if chunked else CHUNK
            try:
                sock.setblocking(True)
                sock.settimeout(10)
                sock.sendall(data)
                sock.setblocking(False)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break
            sent += len(CHUNK)
        sock.setblocking(True)
        sock.settimeout(10)
        while b"\r\n" not in answer:
            more = sock.recv(65536)
            if not more:
                break
            answer += more
    except (ConnectionResetError, TimeoutError):
        pass
    finally:
        sock.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else None
    return status, sent, time.perf_counter() - start


@pytest.fixture(scope="module")
def worker(database_url, fake_stripe, fake_provider):
    """One worker for the tests whose requests are refused (starting one costs ~2 s):
    a refusal leaves nothing behind in it."""
    settings = build_settings(database_url, fake_stripe, fake_provider,
                              anthropic_api_key="sk-ant-test")
    with server_process(settings) as s:
        yield s


@pytest.fixture
def fresh_worker(settings):
    """A worker of its own, for a test that measures the worker's peak memory."""
    with server_process(settings.model_copy(update={"anthropic_api_key": "sk-ant-test"})) as s:
        yield s


def test_anonymous_coach_call_is_refused_before_its_body_is_read(worker) -> None:
    # Declared under the cap, but only the first 256 KiB ever sent: an answer proves the
    # server authenticated without waiting for the body.
    status, _, seconds = _raw_post(
        worker.port,
        "/coach/v1/messages",
        {"x-api-key": "rlc_at_forged"},
        7 * MB,
        False,
        send_at_most=len(CHUNK),
    )
    assert status == 401
    assert seconds < 5


def test_anonymous_chunked_coach_flood_is_refused_early(worker) -> None:
    status, sent, _ = _raw_post(
        worker.port, "/coach/v1/messages", {"authorization": "Bearer nope"}, 300 * MB, True
    )
    assert status == 401
    assert sent < 16 * MB, f"the server read {sent} bytes of an anonymous body first"


@pytest.mark.parametrize("path", ["/billing/webhook", "/coach/v1/messages", "/oauth/token"])
def test_declared_length_over_the_cap_is_413_before_reading(
    worker, settings, path, user_factory, auth_headers
) -> None:
    headers = auth_headers(user_factory())
    status, sent, _ = _raw_post(worker.port, path, headers, 200 * MB, False)
    assert status == 413
    assert sent < 16 * MB


def test_streamed_flood_keeps_memory_bounded(fresh_worker, user_factory, auth_headers) -> None:
    worker = fresh_worker
    headers = auth_headers(user_factory())
    before = worker.peak_rss_mb()
    jobs = [("/billing/webhook", {})] * 3 + [("/coach/v1/messages", headers)] * 3
    with ThreadPoolExecutor(len(jobs)) as pool:
        results = list(
            pool.map(lambda job: _raw_post(worker.port, job[0], job[1], 100 * MB, True), jobs)
        )
    growth = worker.peak_rss_mb() - before
    print(f"\npeak RSS {before:.0f} MiB -> +{growth:.0f} MiB; answers {results}")
    assert [status for status, _, _ in results] == [413] * len(jobs)
    assert growth < 100, f"the worker grew by {growth:.0f} MiB under a 600 MB flood"
