"""RFC 8628 polling against the real server: pending, slow_down, approval, denial, expiry."""

from __future__ import annotations

import time

import pytest

from rlcoach.account import device_flow
from rlcoach.account.client import NetworkError, ServerClient

from .conftest import POLL_INTERVAL, Browser, DevServer, free_port, requires_server

pytestmark = requires_server


def test_pending_until_approved_then_tokens_work(server: DevServer, browser: Browser) -> None:
    with ServerClient(server.url) as client:
        flow = device_flow.start(client)
        assert flow.interval == POLL_INTERVAL
        assert flow.verification_uri == server.url + "/device"
        assert flow.poll_once() is None  # authorization_pending
        browser.decide(flow.user_code)
        time.sleep(POLL_INTERVAL + 0.1)
        tokens = flow.poll_once()
        assert tokens is not None and tokens.refresh_token
        assert client.me(tokens.access_token)["name"] == "Dev User"


def test_polling_too_fast_earns_slow_down_and_a_longer_interval(server: DevServer) -> None:
    with ServerClient(server.url) as client:
        flow = device_flow.start(client)
        assert flow.poll_once() is None
        assert flow.poll_once() is None  # immediately again: slow_down
        assert flow.slow_downs == 1
        assert flow.interval == POLL_INTERVAL + device_flow.SLOW_DOWN_STEP


def test_wait_for_tokens_sleeps_the_interval_plus_margin_and_honours_slow_down(
    server: DevServer, browser: Browser
) -> None:
    """The sleeps are recorded but skipped, so the server sees the polls too fast."""
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:
            browser.decide(flow.user_code)

    with ServerClient(server.url) as client:
        flow = device_flow.start(client)
        tokens = device_flow.wait_for_tokens(flow, margin=0.5, sleep=sleep)
    assert tokens.access_token
    # poll 1 pending; poll 2 too fast -> slow_down (+5 s); poll 3 approved.
    assert sleeps == [POLL_INTERVAL + 0.5, POLL_INTERVAL + 0.5, POLL_INTERVAL + 5 + 0.5]


def test_denied(server: DevServer, browser: Browser) -> None:
    with ServerClient(server.url) as client:
        flow = device_flow.start(client)
        browser.decide(flow.user_code, "deny")
        with pytest.raises(device_flow.LoginDenied, match="denied"):
            flow.poll_once()


def test_expired_code_stops_polling(expiring_server: DevServer) -> None:
    with ServerClient(expiring_server.url) as client:
        flow = device_flow.start(client)
        assert flow.expires_in == 2
        started = time.monotonic()
        with pytest.raises(device_flow.LoginExpired, match="expired"):
            device_flow.wait_for_tokens(flow, margin=0.1)
        assert time.monotonic() - started < 5


def test_polling_survives_network_blips_but_not_an_outage() -> None:
    sleeps: list[float] = []
    with ServerClient(f"http://127.0.0.1:{free_port()}") as dead:
        flow = device_flow.DeviceLogin(dead, "dc", "BCDF-GHJK", "http://x/device", None,
                                       expires_in=600, interval=1)
        with pytest.raises(NetworkError, match="cannot reach"):
            device_flow.wait_for_tokens(flow, sleep=sleeps.append)
    assert len(sleeps) == device_flow.MAX_NETWORK_FAILURES
