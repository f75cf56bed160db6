"""RFC 8628 device login end to end, against a fake OAuth/OIDC provider on loopback."""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fake_oauth_provider import FakeProvider, FakeUser
from flows import (
    CLIENT_ID,
    DEVICE_GRANT,
    approve,
    browser_login,
    csrf_from,
    login_cli,
    poll,
    provider_redirect,
    refresh,
    start_device,
)
from rlcoach_server.models import AccessToken, DeviceAuthorization, Identity, RefreshToken, utcnow


@pytest.fixture
def browser(make_client, app) -> TestClient:
    return make_client(app)


def test_metadata(client: TestClient) -> None:
    m = client.get("/.well-known/oauth-authorization-server").json()
    assert m["issuer"] == "https://testserver"
    assert m["device_authorization_endpoint"] == "https://testserver/oauth/device/code"
    assert m["token_endpoint"] == "https://testserver/oauth/token"
    assert m["revocation_endpoint"] == "https://testserver/oauth/revoke"
    assert DEVICE_GRANT in m["grant_types_supported"]


def test_device_code_response(client: TestClient) -> None:
    r = client.post("/oauth/device/code", data={"client_id": CLIENT_ID})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert re.fullmatch(r"[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}", body["user_code"])
    assert body["verification_uri"] == "https://testserver/device"
    assert body["verification_uri_complete"] == (
        f"https://testserver/device?user_code={body['user_code']}"
    )
    assert body["expires_in"] == 600 and body["interval"] == 5
    assert len(body["device_code"]) >= 40


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "invalid_request"),
        ({"client_id": "someone-else"}, "invalid_client"),
    ],
)
def test_device_code_errors(client: TestClient, data: dict, error: str) -> None:
    r = client.post("/oauth/device/code", data=data)
    assert r.status_code == 400 and r.json()["error"] == error


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "invalid_request"),
        ({"grant_type": "password", "client_id": CLIENT_ID}, "unsupported_grant_type"),
        ({"grant_type": DEVICE_GRANT, "client_id": CLIENT_ID}, "invalid_request"),
        (
            {"grant_type": DEVICE_GRANT, "client_id": CLIENT_ID, "device_code": "nope"},
            "invalid_grant",
        ),
        ({"grant_type": DEVICE_GRANT, "client_id": "x", "device_code": "nope"}, "invalid_client"),
        (
            {"grant_type": "refresh_token", "client_id": CLIENT_ID, "refresh_token": "rlc_rt_x"},
            "invalid_grant",
        ),
    ],
)
def test_token_errors(client: TestClient, data: dict, error: str) -> None:
    r = client.post("/oauth/token", data=data)
    assert r.status_code == 400 and r.json()["error"] == error


@pytest.mark.parametrize("provider_name", ["google", "discord"])
def test_full_login_with_provider(
    client: TestClient,
    browser: TestClient,
    fake_provider: FakeProvider,
    db_session: Session,
    provider_name: str,
) -> None:
    started = start_device(client)
    assert poll(client, started["device_code"]).json() == {
        "error": "authorization_pending",
        "error_description": "waiting for the user to approve",
    }
    user = FakeUser(sub=f"sub-{provider_name}", email="lee@example.com", name="Lee")
    landed = browser_login(browser, fake_provider, provider_name, user, started["user_code"])
    # The confirmation page shows what is asking, when and from where.
    assert "rlcoach CLI" in landed.text
    assert started["user_code"] in landed.text
    assert "testclient" in landed.text  # requesting IP as the app saw it
    assert "Lee" in landed.text
    r = approve(browser, started["user_code"])
    assert r.status_code == 200 and "Device connected" in r.text

    # Wait out the polling interval, as a well-behaved client does.
    row = db_session.execute(select(DeviceAuthorization)).scalar_one()
    row.last_polled_at = utcnow() - timedelta(seconds=6)
    db_session.commit()
    tokens = poll(client, started["device_code"])
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["access_token"].startswith("rlc_at_")
    assert body["refresh_token"].startswith("rlc_rt_")
    me = client.get("/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["email"] == "lee@example.com" and me.json()["name"] == "Lee"
    ident = db_session.execute(select(Identity)).scalar_one()
    assert (ident.provider, ident.subject) == (provider_name, f"sub-{provider_name}")

    # Device codes are single-use.
    again = poll(client, started["device_code"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"

    # Tokens are stored as sha256 digests only.
    hashes = set(db_session.execute(select(AccessToken.token_hash)).scalars())
    hashes |= set(db_session.execute(select(RefreshToken.token_hash)).scalars())
    assert hashlib.sha256(body["access_token"].encode()).hexdigest() in hashes
    assert body["access_token"] not in hashes and body["refresh_token"] not in hashes


def test_provider_login_with_wrong_state_fails(
    browser: TestClient, fake_provider: FakeProvider
) -> None:
    r = browser.get("/device/login/google")
    assert r.status_code == 302
    r = browser.get("/device/callback/google", params={"code": "x", "state": "forged"})
    assert r.status_code == 400 and "Sign-in failed" in r.text


@pytest.mark.parametrize("defect", ["signature", "audience"])
def test_invalid_id_token_is_rejected(
    browser: TestClient, fake_provider: FakeProvider, defect: str
) -> None:
    fake_provider.break_id_token = defect
    r = browser.get("/device/login/google")
    back = browser.get(provider_redirect(r.headers["location"]))
    assert back.status_code == 400 and "Sign-in failed" in back.text
    assert "Signed in as" not in browser.get("/device").text


def test_slow_down_grows_interval(client: TestClient, db_session: Session) -> None:
    started = start_device(client)
    assert poll(client, started["device_code"]).json()["error"] == "authorization_pending"
    r = poll(client, started["device_code"])
    assert r.status_code == 400 and r.json()["error"] == "slow_down"
    assert db_session.execute(select(DeviceAuthorization.interval)).scalar_one() == 10
    assert poll(client, started["device_code"]).json()["error"] == "slow_down"
    db_session.expire_all()
    assert db_session.execute(select(DeviceAuthorization.interval)).scalar_one() == 15
    # Polling slower than the (new) interval is pending again.
    row = db_session.execute(select(DeviceAuthorization)).scalar_one()
    row.last_polled_at = utcnow() - timedelta(seconds=16)
    db_session.commit()
    assert poll(client, started["device_code"]).json()["error"] == "authorization_pending"


def test_expired_token(client: TestClient, db_session: Session) -> None:
    started = start_device(client)
    row = db_session.execute(select(DeviceAuthorization)).scalar_one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    r = poll(client, started["device_code"])
    assert r.status_code == 400 and r.json()["error"] == "expired_token"


def test_access_denied(client: TestClient, browser: TestClient, fake_provider) -> None:
    started = start_device(client)
    browser_login(browser, fake_provider, user_code=started["user_code"])
    r = approve(browser, started["user_code"], action="deny")
    assert r.status_code == 200 and "denied" in r.text
    r = poll(client, started["device_code"])
    assert r.status_code == 400 and r.json()["error"] == "access_denied"


def test_refresh_rotation_and_reuse_revokes_family(
    client: TestClient, browser: TestClient, fake_provider
) -> None:
    first = login_cli(client, browser, fake_provider)
    second = refresh(client, first["refresh_token"])
    assert second.status_code == 200
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"]
    bearer = {"Authorization": f"Bearer {second['access_token']}"}
    assert client.get("/me", headers=bearer).status_code == 200
    # Replaying the rotated token: rejected, and the whole family is cut off.
    replay = refresh(client, first["refresh_token"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert client.get("/me", headers=bearer).status_code == 401
    assert refresh(client, second["refresh_token"]).json()["error"] == "invalid_grant"


def test_revocation(client: TestClient, browser: TestClient, fake_provider) -> None:
    tokens = login_cli(client, browser, fake_provider)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    # Unknown tokens: still 200 (RFC 7009 section 2.2).
    assert client.post("/oauth/revoke", data={"token": "rlc_at_unknown"}).status_code == 200
    assert client.get("/me", headers=bearer).status_code == 200
    r = client.post(
        "/oauth/revoke", data={"token": tokens["access_token"], "token_type_hint": "access_token"}
    )
    assert r.status_code == 200
    assert client.get("/me", headers=bearer).status_code == 401
    # Revoking the refresh token ends the session for good.
    assert client.post("/oauth/revoke", data={"token": tokens["refresh_token"]}).status_code == 200
    assert refresh(client, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_csrf_is_checked(
    client: TestClient, browser: TestClient, fake_provider, db_session: Session
) -> None:
    started = start_device(client)
    browser_login(browser, fake_provider, user_code=started["user_code"])
    for token in (None, "wrong-token"):
        data = {"user_code": started["user_code"], "action": "approve"}
        if token:
            data["csrf_token"] = token
        r = browser.post("/device", data=data)
        assert r.status_code == 403
    assert db_session.execute(select(DeviceAuthorization.status)).scalar_one() == "pending"
    # A CSRF token from another browser session does not work either.
    other = TestClient(browser.app, base_url="https://testserver", follow_redirects=False)
    other_token = csrf_from(browser_login(other, fake_provider).text)
    r = browser.post(
        "/device",
        data={"user_code": started["user_code"], "action": "approve", "csrf_token": other_token},
    )
    assert r.status_code == 403


def test_user_code_guessing_is_rate_limited_across_workers(
    make_app, make_client, fake_provider, settings
) -> None:
    # Two app instances on one database stand in for two uvicorn workers.
    app1 = make_app(settings.model_copy(update={"user_code_failures_per_minute": 3}))
    app2 = make_app(settings.model_copy(update={"user_code_failures_per_minute": 3}))
    b1, b2 = make_client(app1), make_client(app2)
    browser_login(b1, fake_provider)
    browser_login(b2, fake_provider)  # the same account, on the other worker
    for guess in ("BBBB-BBBB", "CCCC-CCCC"):
        assert b1.get("/device", params={"user_code": guess}).status_code == 400
    assert b2.get("/device", params={"user_code": "DDDD-DDDD"}).status_code == 400
    # The limit is reached on both workers, and the answer no longer says whether a code
    # is valid.
    r = b1.get("/device", params={"user_code": "FFFF-FFFF"})
    assert r.status_code == 429 and r.headers["retry-after"] == "60"
    assert b2.get("/device", params={"user_code": "GGGG-GGGG"}).status_code == 429


def test_a_limited_neighbour_does_not_block_a_valid_code(
    make_app, make_client, fake_provider, settings
) -> None:
    """Issue 13 item 9: another account on the same IP guessing codes must not stop a user
    from approving (or denying) their own code."""
    app = make_app(settings.model_copy(update={"user_code_failures_per_minute": 3}))
    cli, attacker, victim = make_client(app), make_client(app), make_client(app)
    browser_login(attacker, fake_provider, user=FakeUser("666", "eve@example.com", "Eve"))
    for guess in ("BBBB-BBBB", "CCCC-CCCC", "DDDD-DDDD", "FFFF-FFFF"):
        attacker.get("/device", params={"user_code": guess})
    assert attacker.get("/device", params={"user_code": "GGGG-GGGG"}).status_code == 429
    started = start_device(cli)
    browser_login(victim, fake_provider, user=FakeUser("7", "ana@example.com", "Ana"))
    r = approve(victim, started["user_code"])
    assert r.status_code == 200 and "Device connected" in r.text
    denied = start_device(cli)
    assert approve(victim, denied["user_code"], action="deny").status_code == 200


@pytest.mark.postgres_only
def test_wrong_code_limit_holds_in_a_burst(make_app, make_client, fake_provider, settings) -> None:
    """Check-then-record let 14-18 guesses through a limit of 10; counting is atomic now."""
    app = make_app(settings.model_copy(update={"user_code_failures_per_minute": 10}))
    first = make_client(app)
    browser_login(first, fake_provider)
    browsers = [first] + [make_client(app) for _ in range(29)]
    for b in browsers[1:]:
        b.cookies = first.cookies
    codes = [f"{c * 4}-{c * 4}" for c in "BCDFGHJKLMNPQRSTVWXZ"] + ["BCDF-GHJK"] * 10

    def guess(i: int) -> int:
        return browsers[i].get("/device", params={"user_code": codes[i]}).status_code

    with ThreadPoolExecutor(len(browsers)) as pool:
        statuses = list(pool.map(guess, range(len(browsers))))
    assert statuses.count(400) == 10, statuses
    assert statuses.count(429) == len(browsers) - 10


def test_device_code_creation_is_throttled_per_ip(make_client) -> None:
    cli = make_client(device_codes_per_ip_per_hour=3)
    for _ in range(3):
        start_device(cli)
    r = cli.post("/oauth/device/code", data={"client_id": "rlcoach-cli"})
    assert r.status_code == 429 and r.json()["error"] == "slow_down"
    assert int(r.headers["retry-after"]) > 0


def test_approval_page_marks_the_user_agent_as_unverified(client, browser, fake_provider) -> None:
    client.headers["user-agent"] = "rlcoach (official)"
    started = start_device(client)
    browser_login(browser, fake_provider)
    page = browser.get("/device", params={"user_code": started["user_code"]})
    assert "not verified" in page.text


def test_user_code_is_normalized(client: TestClient, browser: TestClient, fake_provider) -> None:
    started = start_device(client)
    browser_login(browser, fake_provider)
    sloppy = started["user_code"].lower().replace("-", " ")
    r = browser.get("/device", params={"user_code": sloppy})
    assert r.status_code == 200 and "Approve" in r.text


def test_dev_login_only_in_dev_mode(client: TestClient, make_client) -> None:
    page = client.get("/device")
    assert "Dev login" not in page.text
    r = client.post("/device/dev-login", data={"csrf_token": "any", "name": "x"})
    assert r.status_code == 404

    dev = make_client(dev_mode=True)
    page = dev.get("/device")
    assert "Dev login" in page.text
    r = dev.post("/device/dev-login", data={"csrf_token": csrf_from(page.text), "name": "Dev"})
    assert r.status_code == 303
    assert "Signed in as" in dev.get("/device").text


def test_pages_are_not_framable(client: TestClient) -> None:
    r = client.get("/device")
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_upstream_sign_in_uses_pkce(client, browser, fake_provider) -> None:
    """Issue 13 item 11: the fake provider refuses a code exchange without a matching
    S256 verifier, so every sign-in above also proves PKCE end to end."""
    for provider in ("google", "discord"):
        fake_provider.authorize_requests.clear()
        browser_login(browser, fake_provider, provider)
        (query,) = fake_provider.authorize_requests
        assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
        assert "code_verifier" in fake_provider.token_requests[-1]
