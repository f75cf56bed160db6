"""The real rlcoach server, run as a subprocess in dev mode, and a "browser" that approves
device codes through its dev login over HTTP (CSRF included), as server/tests/flows.py does.

Nothing here imports ``rlcoach_server``: the client is tested the way users run it, over
HTTP. Tests needing the server are skipped when the server package is not installed.
The checkout endpoint talks to the server's fake Stripe (server/tests/fake_stripe.py,
a real HTTP server on loopback) when that file is there.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import httpx
import pytest

SERVER_TESTS = Path(__file__).resolve().parents[2] / "server" / "tests"
HAVE_SERVER = find_spec("rlcoach_server") is not None
requires_server = pytest.mark.skipif(
    not HAVE_SERVER, reason="rlcoach_server is not installed (pip install -e server)"
)
POLL_INTERVAL = 1  # the server's minimum device polling interval in these tests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DevServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    checkout_ready: bool


def _start_server(tmp: Path, extra_env: dict[str, str]) -> DevServer:
    port = free_port()
    log = tmp / "server.log"
    env = {
        **os.environ,
        "RLCOACH_SERVER_DATABASE_URL": f"sqlite:///{tmp / 'server.db'}",
        "RLCOACH_SERVER_DEVICE_POLL_INTERVAL_SECONDS": str(POLL_INTERVAL),
        "RLCOACH_SERVER_LOG_LEVEL": "WARNING",
        # The whole session signs in from 127.0.0.1 through one server: more
        # device codes than the per-IP production throttle allows.
        "RLCOACH_SERVER_DEVICE_CODES_PER_IP_PER_HOUR": "10000",
        **extra_env,
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "rlcoach_server.cli", "serve", "--dev",
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"rlcoach-server exited {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return DevServer(url, proc, log, "RLCOACH_SERVER_STRIPE_API_BASE" in extra_env)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"rlcoach-server did not start:\n{log.read_text()}")


def _stop(server: DevServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def fake_stripe() -> Iterator[Any]:
    if not (SERVER_TESTS / "fake_stripe.py").exists():
        yield None
        return
    sys.path.insert(0, str(SERVER_TESTS))
    try:
        from fake_stripe import start_fake_stripe
    finally:
        sys.path.remove(str(SERVER_TESTS))
    fake = start_fake_stripe()
    yield fake
    fake.server.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, fake_stripe: Any) -> Iterator[DevServer]:
    """A dev server polled at 1 s, with 10-minute codes."""
    if not HAVE_SERVER:
        pytest.skip("rlcoach_server is not installed (pip install -e server)")
    env: dict[str, str] = {}
    if fake_stripe is not None:
        env = {
            "RLCOACH_SERVER_STRIPE_API_BASE": fake_stripe.base_url,
            "RLCOACH_SERVER_STRIPE_SECRET_KEY": fake_stripe.api_key,
            "RLCOACH_SERVER_STRIPE_PRICE_ID_PRO": "price_test_pro",
        }
    srv = _start_server(tmp_path_factory.mktemp("server"), env)
    yield srv
    _stop(srv)


@pytest.fixture(scope="session")
def expiring_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """A dev server whose device codes live 2 seconds."""
    if not HAVE_SERVER:
        pytest.skip("rlcoach_server is not installed (pip install -e server)")
    srv = _start_server(tmp_path_factory.mktemp("expiring"),
                        {"RLCOACH_SERVER_DEVICE_CODE_TTL_SECONDS": "2"})
    yield srv
    _stop(srv)


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in page"
    return m.group(1)


class Browser:
    """The user's browser on the verification page, signed in with the dev login."""

    def __init__(self, base_url: str, name: str = "Dev User") -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10)
        page = self.http.get("/device")
        r = self.http.post("/device/dev-login", data={"csrf_token": _csrf(page.text),
                                                       "name": name})
        assert r.status_code == 303, r.text

    def decide(self, user_code: str, action: str = "approve") -> None:
        page = self.http.get("/device", params={"user_code": user_code})
        assert page.status_code == 200, page.text
        r = self.http.post("/device", data={"csrf_token": _csrf(page.text),
                                            "user_code": user_code, "action": action})
        assert r.status_code == 200, r.text
        expected = "Device connected" if action == "approve" else "enied"
        assert expected in r.text, r.text

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def browser(server: DevServer) -> Iterator[Browser]:
    b = Browser(server.url)
    yield b
    b.close()


@pytest.fixture
def file_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force the file token store (the documented RLCOACH_TOKEN_STORE switch)."""
    monkeypatch.setenv("RLCOACH_TOKEN_STORE", "file")


def library_login(server: DevServer, browser: Browser) -> Any:
    """A whole device login through the library (no waiting): returns ``Tokens``."""
    from rlcoach.account import device_flow
    from rlcoach.account.client import ServerClient

    with ServerClient(server.url) as client:
        flow = device_flow.start(client)
        browser.decide(flow.user_code)
        tokens = flow.poll_once()  # the first poll is never too fast
    assert tokens is not None
    return tokens
