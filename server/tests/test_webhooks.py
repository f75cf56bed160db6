"""Stripe webhooks: signatures, idempotency, ordering, grace period, unknown types."""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rlcoach_server.models import StripeEvent, Subscription, User
from stripe_helpers import checkout_session, deliver, event, invoice, sign, subscription

DAY = 86400


def _customer(db: Session, user: User, customer: str = "cus_test1") -> str:
    # As if /billing/checkout had created the customer.
    db.get(User, user.id).stripe_customer_id = customer + user.id[:6]
    db.commit()
    return customer + user.id[:6]


def _me(client: TestClient, headers: dict) -> dict:
    r = client.get("/me", headers=headers)
    assert r.status_code == 200
    return r.json()


def _events(db: Session) -> int:
    return db.execute(select(func.count()).select_from(StripeEvent)).scalar_one()


def test_bad_signature_stale_timestamp_and_garbage_are_rejected(
    client: TestClient, db_session: Session
) -> None:
    evt = event("invoice.paid", {"id": "in_1"}, int(time.time()))
    payload = json.dumps(evt)
    cases = {
        "wrong secret": sign(payload, secret="whsec_" + "x" * 32),
        "stale": sign(payload, t=int(time.time()) - 600),
        "garbled": "t=1,v1=deadbeef",
    }
    for name, header in cases.items():
        r = client.post("/billing/webhook", content=payload, headers={"Stripe-Signature": header})
        assert r.status_code == 400, name
    assert client.post("/billing/webhook", content=payload).status_code == 400
    # Signed body that was altered after signing.
    header = sign(payload)
    tampered = payload.replace("invoice.paid", "invoice.payment_failed")
    r = client.post("/billing/webhook", content=tampered, headers={"Stripe-Signature": header})
    assert r.status_code == 400
    # Properly signed but not JSON.
    r = client.post(
        "/billing/webhook", content="not json", headers={"Stripe-Signature": sign("not json")}
    )
    assert r.status_code == 400
    assert _events(db_session) == 0


def test_unknown_event_types_are_acknowledged(client: TestClient, db_session: Session) -> None:
    r = deliver(client, event("customer.tax_id.created", {"id": "txi_1"}, int(time.time())))
    assert r.status_code == 200 and r.json() == {"received": True, "duplicate": False}
    assert _events(db_session) == 1


def test_lifecycle_and_duplicates(
    client: TestClient, user_factory, auth_headers, db_session: Session
) -> None:
    user = user_factory()
    headers = auth_headers(user)
    cus = _customer(db_session, user)
    now = int(time.time())
    completed = event("checkout.session.completed", checkout_session(user.id, cus, "sub_1"), now)
    assert deliver(client, completed).json()["duplicate"] is False
    assert _me(client, headers)["tier"] == "pro"  # provisional until subscription events
    # Redelivery of the same event id: acknowledged, no second effect.
    again = deliver(client, completed)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert _events(db_session) == 1

    period_end = now + 30 * DAY
    created = event(
        "customer.subscription.created", subscription("sub_1", cus, "active", period_end), now + 1
    )
    deliver(client, created)
    me = _me(client, headers)
    assert me["subscription_status"] == "active"
    assert me["current_period_end"].startswith(time.strftime("%Y-%m-%d", time.gmtime(period_end)))

    # Renewal paid: the period end moves forward.
    deliver(client, event("invoice.paid", invoice("sub_1", cus, period_end + 30 * DAY), now + 2))
    assert _me(client, headers)["current_period_end"].startswith(
        time.strftime("%Y-%m-%d", time.gmtime(period_end + 30 * DAY))
    )

    # User cancels in the portal: deleted event ends Pro.
    deleted = event(
        "customer.subscription.deleted", subscription("sub_1", cus, "canceled", period_end), now + 3
    )
    deliver(client, deleted)
    me = _me(client, headers)
    assert me["tier"] == "free" and me["subscription_status"] == "canceled"


def test_out_of_order_delivery_keeps_the_newest_state(
    client: TestClient, user_factory, auth_headers, db_session: Session
) -> None:
    user = user_factory()
    headers = auth_headers(user)
    cus = _customer(db_session, user)
    t = int(time.time())
    pe = t + 30 * DAY
    # Stripe's order: created (incomplete) -> updated (active) -> deleted (canceled).
    created = event(
        "customer.subscription.created", subscription("sub_2", cus, "incomplete", pe), t
    )
    updated = event(
        "customer.subscription.updated", subscription("sub_2", cus, "active", pe), t + 5
    )
    deleted = event(
        "customer.subscription.deleted", subscription("sub_2", cus, "canceled", pe), t + 9
    )
    for evt in (deleted, updated, created):  # delivered backwards
        assert deliver(client, evt).status_code == 200
    me = _me(client, headers)
    assert me["tier"] == "free" and me["subscription_status"] == "canceled"
    # A late checkout.session.completed does not resurrect the subscription either.
    deliver(
        client, event("checkout.session.completed", checkout_session(user.id, cus, "sub_2"), t + 1)
    )
    assert _me(client, headers)["tier"] == "free"


def test_past_due_grace_period(
    client: TestClient, user_factory, auth_headers, db_session: Session
) -> None:
    user = user_factory()
    headers = auth_headers(user)
    cus = _customer(db_session, user)
    t = int(time.time())
    pe = t + 30 * DAY
    deliver(
        client,
        event("customer.subscription.created", subscription("sub_3", cus, "active", pe), t - 20),
    )
    # Payment failed just now: still Pro during the grace period (7 days by default).
    deliver(client, event("invoice.payment_failed", invoice("sub_3", cus), t - 10))
    me = _me(client, headers)
    assert me["subscription_status"] == "past_due" and me["tier"] == "pro"
    assert me["grace_period_ends_at"] is not None
    # The subscription.updated snapshot for the same failure keeps the original start.
    deliver(
        client,
        event("customer.subscription.updated", subscription("sub_3", cus, "past_due", pe), t - 5),
    )
    row = db_session.get(Subscription, "sub_3")
    assert int(row.past_due_since.timestamp()) == t - 10
    # Paying restores a normal active subscription.
    deliver(client, event("invoice.paid", invoice("sub_3", cus), t))
    me = _me(client, headers)
    assert me["subscription_status"] == "active" and me["grace_period_ends_at"] is None


def test_past_due_beyond_grace_drops_to_free(
    client: TestClient, user_factory, auth_headers, db_session: Session
) -> None:
    user = user_factory()
    headers = auth_headers(user)
    cus = _customer(db_session, user)
    t = int(time.time())
    old = t - 8 * DAY  # past due for 8 days, grace is 7
    deliver(
        client,
        event(
            "customer.subscription.created", subscription("sub_4", cus, "active", t), old - 30 * DAY
        ),
    )
    deliver(
        client,
        event("customer.subscription.updated", subscription("sub_4", cus, "past_due", t), old),
    )
    me = _me(client, headers)
    assert me["subscription_status"] == "past_due" and me["tier"] == "free"


def test_grace_period_is_configurable(
    make_client, settings, user_factory, auth_headers, db_session: Session
) -> None:
    client = make_client(past_due_grace_seconds=0)
    user = user_factory()
    cus = _customer(db_session, user)
    t = int(time.time())
    deliver(
        client,
        event("customer.subscription.updated", subscription("sub_5", cus, "past_due", t), t - 1),
    )
    assert _me(client, auth_headers(user))["tier"] == "free"


def test_events_for_unknown_customers_are_ignored(client: TestClient, db_session: Session) -> None:
    sub = subscription("sub_x", "cus_nobody", "active", int(time.time()) + DAY)
    r = deliver(client, event("customer.subscription.updated", sub, int(time.time())))
    assert r.status_code == 200
    assert db_session.execute(select(Subscription)).first() is None


MALFORMED_EVENTS = [
    {"id": "evt_m1", "type": "customer.subscription.updated", "created": "soon", "data": {}},
    {"id": "evt_m2", "type": "customer.subscription.updated", "created": 1, "data": []},
    {"id": "evt_m3", "type": "invoice.paid", "created": 1, "data": {"object": "in_1"}},
    {"id": "evt_m4", "type": 7, "created": 1, "data": {"object": {}}},
    # Well-formed envelope, fields of the wrong type inside the object.
    event("customer.subscription.updated", {"id": 5, "items": "x", "customer": []}, 1, "evt_m5"),
    event("checkout.session.completed", {"client_reference_id": ["u"], "customer": 3}, 1, "evt_m6"),
]


@pytest.mark.parametrize("body", MALFORMED_EVENTS, ids=[e["id"] for e in MALFORMED_EVENTS])
def test_signed_but_malformed_event_is_a_400_not_a_500(client, body, db_session) -> None:
    """Issue 13 item 11: Stripe retries a 500 for days; a malformed event is our 400."""
    payload = json.dumps(body)
    r = client.post(
        "/billing/webhook", content=payload, headers={"Stripe-Signature": sign(payload)}
    )
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        assert db_session.get(StripeEvent, body["id"]) is None  # nothing half-applied
