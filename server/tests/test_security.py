"""Security properties: tenant isolation, no secrets in logs, secret-refusing settings."""

from __future__ import annotations

import logging
import time

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import Session

from fake_oauth_provider import FakeProvider
from fake_stripe import FakeStripe
from flows import login_cli, refresh
from rlcoach_server.config import Settings
from rlcoach_server.models import Subscription, User
from stripe_helpers import deliver, event, subscription


@pytest.fixture
def browser(make_client, app) -> TestClient:
    return make_client(app)


def _pro(client: TestClient, db: Session, user: User, tag: str) -> str:
    db.get(User, user.id).stripe_customer_id = f"cus_{tag}"
    db.commit()
    sub = subscription(f"sub_{tag}", f"cus_{tag}", "active", int(time.time()) + 86400)
    assert (
        deliver(client, event("customer.subscription.updated", sub, int(time.time()))).status_code
        == 200
    )
    return f"sub_{tag}"


def test_users_only_ever_see_their_own_data(
    client: TestClient, fake_stripe: FakeStripe, user_factory, auth_headers, db_session: Session
) -> None:
    alice, bob = user_factory(name="Alice"), user_factory(name="Bob")
    ha, hb = auth_headers(alice), auth_headers(bob)
    _pro(client, db_session, alice, "alice")

    assert client.get("/me", headers=ha).json()["id"] == alice.id
    me_b = client.get("/me", headers=hb).json()
    assert me_b["id"] == bob.id and me_b["tier"] == "free" and me_b["subscription_status"] is None

    # Bob's portal session can only be for Bob's customer (he has none yet).
    assert client.post("/billing/portal", headers=hb).status_code == 409
    client.post("/billing/portal", headers=ha)
    assert (
        fake_stripe.calls("POST", "/v1/billing_portal/sessions")[-1].form["customer"] == "cus_alice"
    )

    # An event for Alice's customer never touches Bob.
    deliver(
        client,
        event(
            "customer.subscription.updated",
            subscription("sub_alice", "cus_alice", "past_due", int(time.time())),
            int(time.time()) + 1,
        ),
    )
    assert client.get("/me", headers=hb).json()["subscription_status"] is None

    # Deleting Bob leaves Alice's tokens and subscription alone, and cancels nothing of hers.
    assert client.delete("/me", headers=hb).status_code == 204
    assert fake_stripe.calls("DELETE", "/v1/subscriptions/") == []
    assert client.get("/me", headers=ha).status_code == 200
    db_session.expire_all()
    assert db_session.get(Subscription, "sub_alice").user_id == alice.id


def test_refresh_token_is_bound_to_its_client(
    client: TestClient, browser: TestClient, fake_provider: FakeProvider, settings
) -> None:
    tokens = login_cli(client, browser, fake_provider)
    r = client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": "other",
            "refresh_token": tokens["refresh_token"],
        },
    )
    assert r.status_code == 400
    assert refresh(client, tokens["refresh_token"]).status_code == 200


def test_no_tokens_or_secrets_in_logs(
    client: TestClient,
    browser: TestClient,
    fake_provider: FakeProvider,
    fake_stripe: FakeStripe,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    tokens = login_cli(client, browser, fake_provider)
    rotated = refresh(client, tokens["refresh_token"]).json()
    headers = {"Authorization": f"Bearer {rotated['access_token']}"}
    assert client.post("/billing/checkout", headers=headers).status_code == 200
    deliver(client, event("invoice.paid", {"id": "in_1"}, int(time.time())))
    client.post("/billing/webhook", content="{}", headers={"Stripe-Signature": "t=1,v1=00"})
    client.post("/oauth/revoke", data={"token": rotated["refresh_token"]})

    secrets_seen = [
        tokens["access_token"],
        tokens["refresh_token"],
        rotated["access_token"],
        rotated["refresh_token"],
        fake_stripe.api_key,
        settings.stripe_webhook_secret.get_secret_value(),
        settings.secret_key.get_secret_value(),
        *fake_provider.tokens.keys(),  # the provider's access tokens
        *(req["code"] for req in fake_provider.token_requests),  # authorization codes
    ]
    assert len(secrets_seen) > 8
    # The test's own HTTP client logs the URLs *it* requests; those are not server logs.
    server_records = [
        r
        for r in caplog.records
        if not (r.name.startswith("httpx") and "https://testserver" in r.getMessage())
    ]
    assert server_records, "expected the flow to log something"
    text = "\n".join(r.getMessage() for r in server_records)
    for secret in secrets_seen:
        assert secret not in text


@pytest.mark.parametrize(
    "overrides",
    [
        {"secret_key": ""},
        {"secret_key": "changeme"},
        {"secret_key": "short-but-real"},
        {"stripe_secret_key": "sk_test_xxx"},
        {"stripe_webhook_secret": ""},
        {"discord_client_secret": "<your-secret>"},
        {"stripe_price_id_pro": ""},
    ],
)
def test_placeholder_secrets_are_refused(settings: Settings, overrides: dict) -> None:
    values = {
        k: (v.get_secret_value() if hasattr(v, "get_secret_value") else v)
        for k, v in settings.model_dump().items()
    }
    values.update(overrides)
    with pytest.raises(ValidationError):
        Settings(**values)
    # ... unless in dev mode, which fills in a random session secret for a placeholder.
    dev = Settings(**{**values, "dev_mode": True})
    if "secret_key" in overrides and overrides["secret_key"] in ("", "changeme"):
        assert len(dev.secret_key.get_secret_value()) >= 32


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLCOACH_SERVER_DEV_MODE", "true")
    monkeypatch.setenv("RLCOACH_SERVER_PUBLIC_URL", "https://coach.example")
    monkeypatch.setenv("RLCOACH_SERVER_PAST_DUE_GRACE_SECONDS", "60")
    s = Settings()
    assert s.dev_mode and s.public_url == "https://coach.example"
    assert s.past_due_grace_seconds == 60


def test_production_refuses_a_plain_http_public_url(settings) -> None:
    """Issue 13 item 11: Secure cookies and bearer tokens need https outside dev mode."""
    values = settings.model_dump()
    values["public_url"] = "http://coach.example.com"
    with pytest.raises(ValueError, match="https"):
        Settings(**values)
    values["dev_mode"] = True
    assert Settings(**values).public_url == "http://coach.example.com"


def test_running_server_prunes_expired_tokens(make_app, settings, db_session) -> None:
    """Issue 13 item 11: access and refresh tokens were never pruned."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from rlcoach_server.models import AccessToken, RefreshToken, utcnow
    from rlcoach_server.services.providers import UpstreamIdentity
    from rlcoach_server.services.tokens import issue_tokens
    from rlcoach_server.services.users import get_or_create_user

    user = get_or_create_user(db_session, UpstreamIdentity("test", "p1", "p@example.com", "P"))
    long_ago = utcnow() - timedelta(days=120)
    issue_tokens(db_session, settings, user.id, "rlcoach-cli", now=long_ago)
    live = issue_tokens(db_session, settings, user.id, "rlcoach-cli")
    db_session.commit()
    app = make_app(settings.model_copy(update={"maintenance_interval_seconds": 0.1}))
    with TestClient(app, base_url="https://testserver") as c:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            db_session.expire_all()
            n = db_session.execute(select(func.count()).select_from(AccessToken)).scalar_one()
            if n == 1:
                break
            time.sleep(0.1)
        assert (
            c.get("/me", headers={"Authorization": f"Bearer {live.access_token}"}).status_code
            == 200
        )
    assert db_session.execute(select(func.count()).select_from(AccessToken)).scalar_one() == 1
    assert db_session.execute(select(func.count()).select_from(RefreshToken)).scalar_one() == 1
