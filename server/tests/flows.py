"""Test helpers that drive the real device-login flow end to end.

The "CLI" and the "browser" are both TestClients on the app; the upstream provider step
goes over real HTTP to the fake provider on loopback (authorization-code round trip).
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from typing import Any

import httpx
from fastapi.testclient import TestClient

from fake_oauth_provider import FakeProvider, FakeUser

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CLIENT_ID = "rlcoach-cli"


def start_device(cli: TestClient, **extra: str) -> dict[str, Any]:
    r = cli.post("/oauth/device/code", data={"client_id": CLIENT_ID, **extra})
    assert r.status_code == 200, r.text
    return r.json()


def poll(cli: TestClient, device_code: str) -> httpx.Response:
    return cli.post(
        "/oauth/token",
        data={"grant_type": DEVICE_GRANT, "device_code": device_code, "client_id": CLIENT_ID},
    )


def refresh(cli: TestClient, refresh_token: str) -> httpx.Response:
    return cli.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": CLIENT_ID,
        },
    )


def csrf_from(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in page"
    return m.group(1)


def browser_login(
    browser: TestClient,
    provider: FakeProvider,
    provider_name: str = "google",
    user: FakeUser | None = None,
    user_code: str | None = None,
) -> httpx.Response:
    """Sign in through the fake provider; returns the page the browser lands on."""
    if user is not None:
        provider.next_user = user
    if user_code:
        r = browser.get("/device", params={"user_code": user_code})
        assert r.status_code == 200 and "Sign in with" in r.text
    r = browser.get(f"/device/login/{provider_name}")
    assert r.status_code in (302, 303, 307), r.text
    authorize_url = r.headers["location"]
    assert authorize_url.startswith(provider.base_url)
    # The user "consents" at the provider, which redirects back with ?code&state.
    # (urllib, not httpx: this is the browser, and its requests must not show up in the
    # server-log assertions of test_security.)
    back = browser.get(provider_redirect(authorize_url))
    assert back.status_code == 303, back.text
    landed = browser.get(back.headers["location"])
    assert landed.status_code == 200, landed.text
    return landed


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def provider_redirect(url: str) -> str:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(url, timeout=10)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302
        return str(exc.headers["Location"])
    raise AssertionError("provider did not redirect")


def approve(browser: TestClient, user_code: str, action: str = "approve") -> httpx.Response:
    page = browser.get("/device", params={"user_code": user_code})
    assert page.status_code == 200, page.text
    return browser.post(
        "/device",
        data={"csrf_token": csrf_from(page.text), "user_code": user_code, "action": action},
    )


def login_cli(
    cli: TestClient, browser: TestClient, provider: FakeProvider, user: FakeUser | None = None
) -> dict[str, Any]:
    """The whole device login; returns the token response."""
    started = start_device(cli)
    browser_login(browser, provider, "google", user, started["user_code"])
    r = approve(browser, started["user_code"])
    assert r.status_code == 200 and "Device connected" in r.text
    tokens = poll(cli, started["device_code"])
    assert tokens.status_code == 200, tokens.text
    return tokens.json()
