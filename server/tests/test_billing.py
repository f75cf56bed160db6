"""Checkout, Customer Portal and account deletion against a fake Stripe API on loopback.

The real ``stripe`` SDK sends form-encoded requests to the fake; tests assert on what
arrived on the wire.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fake_stripe import FakeStripe
from rlcoach_server.models import AccessToken, Subscription, User
from stripe_helpers import PRICE, checkout_session, deliver, event, subscription


def test_billing_needs_a_token(client: TestClient) -> None:
    for path in ("/billing/checkout", "/billing/portal"):
        r = client.post(path)
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")
    assert (
        client.post("/billing/checkout", headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )


def test_checkout_creates_customer_once_and_a_subscription_session(
    client: TestClient, fake_stripe: FakeStripe, user_factory, auth_headers, db_session: Session
) -> None:
    user = user_factory(email="pay@example.com", name="Payer")
    headers = auth_headers(user)
    r = client.post("/billing/checkout", headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["url"].startswith("https://checkout.stripe.test/c/pay/cs_test_")

    [cust] = fake_stripe.calls("POST", "/v1/customers")
    assert cust.headers["authorization"] == f"Bearer {fake_stripe.api_key}"
    assert cust.headers["idempotency-key"] == f"rlcoach-customer-{user.id}"
    assert cust.form["email"] == "pay@example.com"
    assert cust.form["metadata[user_id]"] == user.id
    [sess] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert sess.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert sess.form["mode"] == "subscription"
    assert sess.form["client_reference_id"] == user.id
    assert sess.form["line_items[0][price]"] == PRICE
    assert sess.form["line_items[0][quantity]"] == "1"
    assert sess.form["subscription_data[metadata][user_id]"] == user.id
    assert sess.form["success_url"] == "https://testserver/billing/done"
    customer_id = db_session.get(User, user.id).stripe_customer_id
    assert customer_id and sess.form["customer"] == customer_id

    # A second checkout reuses the customer and the session still open (issue 13 item 5).
    again = client.post("/billing/checkout", headers=headers)
    assert again.status_code == 200 and again.json()["url"] == r.json()["url"]
    assert len(fake_stripe.calls("POST", "/v1/customers")) == 1
    assert len(fake_stripe.calls("POST", "/v1/checkout/sessions")) == 1


def _make_pro(client: TestClient, user: User, db_session: Session, status: str = "active") -> str:
    db_session.expire_all()
    customer = db_session.get(User, user.id).stripe_customer_id
    sub_id = "sub_" + user.id[:12]
    now = int(time.time())
    assert (
        deliver(
            client,
            event("checkout.session.completed", checkout_session(user.id, customer, sub_id), now),
        ).status_code
        == 200
    )
    sub = subscription(sub_id, customer, status, now + 30 * 86400)
    assert deliver(client, event("customer.subscription.updated", sub, now + 1)).status_code == 200
    return sub_id


def test_checkout_refused_when_already_pro(
    client: TestClient, fake_stripe, user_factory, auth_headers, db_session
) -> None:
    user = user_factory()
    headers = auth_headers(user)
    client.post("/billing/checkout", headers=headers)
    _make_pro(client, user, db_session)
    r = client.post("/billing/checkout", headers=headers)
    assert r.status_code == 409


def test_portal(
    client: TestClient, fake_stripe: FakeStripe, user_factory, auth_headers, db_session: Session
) -> None:
    user = user_factory()
    headers = auth_headers(user)
    assert client.post("/billing/portal", headers=headers).status_code == 409
    client.post("/billing/checkout", headers=headers)
    r = client.post("/billing/portal", headers=headers)
    assert r.status_code == 200
    assert r.json()["url"].startswith("https://billing.stripe.test/p/session/bps_")
    [call] = fake_stripe.calls("POST", "/v1/billing_portal/sessions")
    assert call.form["customer"] == db_session.get(User, user.id).stripe_customer_id
    assert call.form["return_url"] == "https://testserver/billing/done"


def test_stripe_errors_become_502(
    client: TestClient, fake_stripe: FakeStripe, user_factory, auth_headers
) -> None:
    user = user_factory()
    fake_stripe.fail_next["/v1/customers"] = (
        400,
        {"error": {"type": "invalid_request_error", "message": "boom sk_test_secret"}},
    )
    r = client.post("/billing/checkout", headers=auth_headers(user))
    assert r.status_code == 502
    assert "sk_test" not in r.text


def test_me_shows_tier_and_subscription(
    client: TestClient, fake_stripe, user_factory, auth_headers, db_session
) -> None:
    user = user_factory(email="me@example.com", name="Me")
    headers = auth_headers(user)
    me = client.get("/me", headers=headers).json()
    assert me["id"] == user.id and me["email"] == "me@example.com" and me["name"] == "Me"
    assert me["tier"] == "free" and me["subscription_status"] is None
    assert me["current_period_end"] is None
    client.post("/billing/checkout", headers=headers)
    _make_pro(client, user, db_session)
    me = client.get("/me", headers=headers).json()
    assert me["tier"] == "pro" and me["subscription_status"] == "active"
    assert me["current_period_end"] is not None and me["cancel_at_period_end"] is False
    assert me["coach"]["tier"] == "pro"  # the coach allowance follows the billing tier


def test_delete_me_cancels_subscription_first(
    client: TestClient, fake_stripe: FakeStripe, user_factory, auth_headers, db_session: Session
) -> None:
    user = user_factory()
    headers = auth_headers(user)
    client.post("/billing/checkout", headers=headers)
    sub_id = _make_pro(client, user, db_session)

    # Stripe refuses: nothing is deleted, and the user can try again.
    fake_stripe.fail_next[f"/v1/subscriptions/{sub_id}"] = (
        400,
        {"error": {"type": "invalid_request_error", "message": "nope"}},
    )
    assert client.delete("/me", headers=headers).status_code == 502
    db_session.expire_all()
    assert db_session.get(User, user.id) is not None

    r = client.delete("/me", headers=headers)
    assert r.status_code == 204
    assert [c.path for c in fake_stripe.calls("DELETE", "/v1/subscriptions/")][-1] == (
        f"/v1/subscriptions/{sub_id}"
    )
    db_session.expire_all()
    assert db_session.get(User, user.id) is None
    assert db_session.execute(select(Subscription)).first() is None
    assert db_session.execute(select(AccessToken)).first() is None
    assert client.get("/me", headers=headers).status_code == 401


def test_delete_me_without_subscription_skips_stripe(
    client: TestClient, fake_stripe: FakeStripe, user_factory, auth_headers
) -> None:
    user = user_factory()
    assert client.delete("/me", headers=auth_headers(user)).status_code == 204
    assert fake_stripe.calls("DELETE", "/v1/subscriptions/") == []


def _session_id(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_two_checkouts_never_make_two_subscriptions(
    app, make_client, fake_stripe: FakeStripe, user_factory, auth_headers
) -> None:
    """Issue 13 item 5: two POST /billing/checkout before the first webhook gave two
    sessions, and completing both billed twice."""
    user = user_factory()
    headers = auth_headers(user)
    clients = [make_client(app) for _ in range(4)]
    with ThreadPoolExecutor(len(clients)) as pool:
        urls = list(pool.map(lambda c: c.post("/billing/checkout", headers=headers), clients))
    assert all(r.status_code == 200 for r in urls), [r.text for r in urls]
    assert len({r.json()["url"] for r in urls}) == 1
    assert len(fake_stripe.calls("POST", "/v1/checkout/sessions")) == 1
    # The user pays; the webhook has not arrived. Another checkout must not open a session.
    fake_stripe.complete_checkout(_session_id(urls[0].json()["url"]))
    r = clients[0].post("/billing/checkout", headers=headers)
    assert r.status_code == 409
    assert len(fake_stripe.calls("POST", "/v1/checkout/sessions")) == 1


def test_delete_me_closes_everything_stripe_has(
    client: TestClient, fake_stripe: FakeStripe, user_factory, auth_headers, db_session
) -> None:
    """Issue 13 item 4: a subscription created before its webhook arrived kept billing a
    deleted account, and the customer's email and name stayed at Stripe."""
    user = user_factory(email="gone@example.com", name="Gone")
    headers = auth_headers(user)
    url = client.post("/billing/checkout", headers=headers).json()["url"]
    sub = fake_stripe.complete_checkout(_session_id(url))  # paid; no webhook delivered
    assert client.delete("/me", headers=headers).status_code == 204
    assert fake_stripe.live_subscriptions() == []
    assert sub["customer"] not in fake_stripe.customers  # email and name gone too
    assert f"/v1/subscriptions/{sub['id']}" in [
        c.path for c in fake_stripe.calls("DELETE", "/v1/subscriptions/")
    ]


def test_delete_me_expires_open_checkout_sessions(
    client: TestClient, fake_stripe: FakeStripe, user_factory, auth_headers
) -> None:
    user = user_factory()
    headers = auth_headers(user)
    url = client.post("/billing/checkout", headers=headers).json()["url"]
    assert client.delete("/me", headers=headers).status_code == 204
    assert fake_stripe.sessions[_session_id(url)]["status"] == "expired"


def test_subscription_event_for_an_unknown_customer_is_cancelled(
    client: TestClient, fake_stripe: FakeStripe
) -> None:
    """A late subscription event for a deleted account is cancelled, not ignored."""
    fake_stripe.customers["cus_gone"] = {"id": "cus_gone"}
    fake_stripe.sessions["cs_late"] = {"id": "cs_late", "customer": "cus_gone", "status": "open"}
    sub = fake_stripe.complete_checkout("cs_late")
    now = int(time.time())
    evt = event(
        "customer.subscription.created",
        subscription(sub["id"], "cus_gone", "active", now + 86400),
        now,
    )
    assert deliver(client, evt).status_code == 200
    assert fake_stripe.live_subscriptions() == []
