"""Stripe webhook events: verify, de-duplicate, apply.

Design:
- The signature is checked on the raw body by the SDK (``StripeClient.construct_event``:
  HMAC-SHA256 over ``"{t}.{body}"``, constant-time compare, timestamp tolerance) before
  anything is parsed or stored.
- Each event id is inserted into ``stripe_events`` in the same transaction as its effect.
  A redelivery finds the row (or, if two deliveries race, loses on the primary key) and
  is acknowledged without effect; a crash before commit leaves neither behind, so Stripe's
  retry applies it once.
- Order-independence: Stripe does not deliver in order. A subscription row remembers the
  ``created`` time of the event it reflects (``snapshot_created``) and older events are
  ignored, so the final state is that of the newest event whatever the delivery order.
- ``past_due_since`` is the event time at which the subscription was first seen past due;
  the tier grace period counts from there (see ``services.billing``).
- Unknown event types are recorded and acknowledged (200): Stripe would otherwise retry.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import stripe
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..config import Settings
from ..models import StripeEvent, Subscription, User

log = logging.getLogger(__name__)

HANDLED = {
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
}
TERMINAL = {"canceled", "incomplete_expired"}


class InvalidEvent(Exception):
    """Bad signature, stale timestamp, unparsable or malformed body: answer 400."""


# What a handler raises on a signed event whose fields have unexpected types.
MALFORMED = (KeyError, TypeError, ValueError, AttributeError)


def verify(settings: Settings, payload: bytes, signature: str | None) -> dict[str, Any]:
    """Check the ``Stripe-Signature`` header; return the event as plain JSON."""
    if not signature:
        raise InvalidEvent("missing Stripe-Signature header")
    # Only the signature check is needed here, so no API key is involved.
    client = stripe.StripeClient("sk_unused_for_webhook_verification")
    try:
        client.construct_event(
            payload,
            signature,
            settings.stripe_webhook_secret.get_secret_value(),
            tolerance=settings.stripe_webhook_tolerance_seconds,
        )
        event = json.loads(payload)
    except stripe.SignatureVerificationError as exc:
        raise InvalidEvent("signature verification failed") from exc
    except ValueError as exc:  # JSON errors
        raise InvalidEvent("body is not a JSON event") from exc
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise InvalidEvent("not an event object")
    # Signed is not well-formed: a malformed event must get a 400, never a 500.
    data = event.get("data")
    if (
        not isinstance(event.get("type"), str)
        or not isinstance(event.get("created", 0), int)
        or not isinstance(data, dict)
        or not isinstance(data.get("object"), dict)
    ):
        raise InvalidEvent("event lacks type, created or data.object")
    return event


def _ts(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if isinstance(value, int) else None


def _id(value: Any) -> str | None:
    """Stripe fields may be an id string or an expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


def process(
    db: Session,
    settings: Settings,
    event: dict[str, Any],
    client: stripe.StripeClient | None = None,
) -> bool:
    """Apply ``event`` and commit. Returns False when it had been processed already.

    ``client`` lets a subscription of an unknown customer (an account deleted before the
    subscription's webhook arrived) be cancelled at Stripe rather than ignored."""
    event_id: str = event["id"]
    etype = str(event.get("type", ""))[:100]
    created = int(event.get("created") or 0)
    if db.get(StripeEvent, event_id) is not None:
        return False
    db.add(StripeEvent(id=event_id, type=etype, created=created))
    try:
        db.flush()  # a concurrent delivery of the same id blocks here, then fails
    except IntegrityError:
        db.rollback()
        return False
    obj = (event.get("data") or {}).get("object") or {}
    if etype == "checkout.session.completed":
        _checkout_completed(db, obj)
    elif etype.startswith("customer.subscription.") and etype in HANDLED:
        _subscription_snapshot(db, obj, created, client)
    elif etype in ("invoice.paid", "invoice.payment_failed"):
        _invoice(db, obj, created, paid=etype == "invoice.paid")
    else:
        log.info("stripe event %s of unhandled type %s acknowledged", event_id, etype)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        return False
    return True


def _user_for(db: Session, customer_id: str | None, metadata: Any) -> User | None:
    if customer_id:
        user = db.execute(
            select(User).where(User.stripe_customer_id == customer_id)
        ).scalar_one_or_none()
        if user is not None:
            return user
    uid = metadata.get("user_id") if isinstance(metadata, dict) else None
    return db.get(User, uid) if isinstance(uid, str) else None


def _checkout_completed(db: Session, session: dict[str, Any]) -> None:
    uid = session.get("client_reference_id")
    user = db.get(User, uid) if isinstance(uid, str) else None
    customer_id = _id(session.get("customer"))
    if user is None:
        log.warning("checkout.session.completed for unknown user; ignored")
        return
    if customer_id and not user.stripe_customer_id:
        # Never steal a customer already linked to someone else (unique column).
        owner = db.execute(
            select(User.id).where(User.stripe_customer_id == customer_id)
        ).scalar_one_or_none()
        if owner is None:
            user.stripe_customer_id = customer_id
    sub_id = _id(session.get("subscription"))
    if not sub_id or not customer_id or db.get(Subscription, sub_id) is not None:
        return
    # Provisional row: the customer paid, so Pro starts now even if the subscription
    # events are still in flight. snapshot_created=0 lets any subscription event win.
    paid = session.get("payment_status") in ("paid", "no_payment_required")
    db.add(
        Subscription(
            id=sub_id,
            user_id=user.id,
            customer_id=customer_id,
            status="active" if paid else "incomplete",
            snapshot_created=0,
        )
    )


def _period_end(sub: dict[str, Any]) -> datetime | None:
    # Older API versions have it on the subscription, newer ones on each item.
    if sub.get("current_period_end") is not None:
        return _ts(sub.get("current_period_end"))
    items = (sub.get("items") or {}).get("data") or []
    ends: list[int] = [
        i["current_period_end"]
        for i in items
        if isinstance(i, dict) and isinstance(i.get("current_period_end"), int)
    ]
    return _ts(max(ends)) if ends else None


def _price_id(sub: dict[str, Any]) -> str | None:
    items = (sub.get("items") or {}).get("data") or []
    if items and isinstance(items[0], dict):
        return _id((items[0].get("price") or {}).get("id"))
    return None


def _is_newer(row: Subscription, created: int) -> bool:
    if created > row.snapshot_created:
        return True
    # Same second: apply, except that nothing leaves a terminal state on a tie.
    return created == row.snapshot_created and row.status not in TERMINAL


def _subscription_snapshot(
    db: Session, sub: dict[str, Any], created: int, client: stripe.StripeClient | None = None
) -> None:
    sub_id = _id(sub.get("id"))
    customer_id = _id(sub.get("customer"))
    status = sub.get("status")
    if not sub_id or not customer_id or not isinstance(status, str):
        log.warning("subscription event without id/customer/status; ignored")
        return
    row = db.execute(
        select(Subscription).where(Subscription.id == sub_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        user = _user_for(db, customer_id, sub.get("metadata"))
        if user is None:
            _cancel_orphan(client, sub_id, status)
            return
        row = Subscription(
            id=sub_id, user_id=user.id, customer_id=customer_id, status=status, snapshot_created=-1
        )
        db.add(row)
    if not _is_newer(row, created):
        log.info("stale snapshot of subscription %s ignored", sub_id)
        return
    was_past_due = row.status == "past_due" and row.past_due_since is not None
    row.status = status
    row.customer_id = customer_id
    row.price_id = _price_id(sub) or row.price_id
    row.current_period_end = _period_end(sub) or row.current_period_end
    row.cancel_at_period_end = bool(sub.get("cancel_at_period_end"))
    if status == "past_due":
        row.past_due_since = row.past_due_since if was_past_due else _ts(created)
    else:
        row.past_due_since = None
    row.snapshot_created = created


def _cancel_orphan(client: stripe.StripeClient | None, sub_id: str, status: str) -> None:
    """Nobody here owns this subscription (the account was deleted before its webhook came):
    stop it billing. A Stripe failure raises, so the webhook answers 500 and Stripe retries."""
    if status in TERMINAL or client is None:
        log.warning("subscription %s for an unknown customer; ignored", sub_id)
        return
    try:
        client.v1.subscriptions.cancel(sub_id)
    except stripe.InvalidRequestError as exc:
        if exc.code != "resource_missing":
            raise
    log.warning("subscription %s for an unknown customer cancelled at Stripe", sub_id)


def _invoice_subscription(invoice: dict[str, Any]) -> str | None:
    sub = _id(invoice.get("subscription"))
    if sub:
        return sub
    # API versions from 2025 move it under parent.subscription_details.
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return _id(details.get("subscription"))


def _invoice(db: Session, invoice: dict[str, Any], created: int, paid: bool) -> None:
    sub_id = _invoice_subscription(invoice)
    if not sub_id:
        return
    row = db.execute(
        select(Subscription).where(Subscription.id == sub_id).with_for_update()
    ).scalar_one_or_none()
    if row is None or not _is_newer(row, created):
        return
    if paid:
        if row.status in ("past_due", "unpaid", "incomplete"):
            row.status = "active"
            row.past_due_since = None
            row.snapshot_created = created
        lines = (invoice.get("lines") or {}).get("data") or []
        ends = [((ln.get("period") or {}).get("end")) for ln in lines if isinstance(ln, dict)]
        end = _ts(max((e for e in ends if isinstance(e, int)), default=None))
        if end and (row.current_period_end is None or end > row.current_period_end):
            row.current_period_end = end
    elif row.status in ("active", "trialing"):
        row.status = "past_due"
        row.past_due_since = _ts(created)
        row.snapshot_created = created
