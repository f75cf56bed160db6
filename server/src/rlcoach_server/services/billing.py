"""Billing: Stripe calls (customer, Checkout, Customer Portal, cancel) and the user's tier.

Design:
- The real ``stripe`` SDK's ``StripeClient``; ``base_addresses={"api": ...}`` only when a
  fake/mock API is configured. Calls that create things carry idempotency keys, so a retry
  (ours or the SDK's) cannot create two customers.
- We create the Stripe customer ourselves (with ``metadata.user_id``) before the first
  Checkout, so every later subscription/invoice event maps back to a user by customer id.
- The tier is computed, never stored: ``pro`` while a subscription is ``active`` or
  ``trialing``, or ``past_due`` for less than ``past_due_grace_seconds`` since it went past
  due; otherwise ``free``. Webhooks (``services.stripe_events``) only record Stripe's state.
- No FastAPI imports; ``BillingError`` carries an HTTP-ish status for the routes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import stripe
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import Settings
from ..models import Subscription, User, utcnow

log = logging.getLogger(__name__)

PRO_STATUSES = {"active", "trialing"}
# Statuses with nothing left to cancel.
ENDED_STATUSES = {"canceled", "incomplete_expired"}


class BillingError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def make_client(settings: Settings) -> stripe.StripeClient:
    kwargs: dict = {}
    if settings.stripe_api_base:
        kwargs["base_addresses"] = {"api": settings.stripe_api_base}
    return stripe.StripeClient(
        settings.stripe_secret_key.get_secret_value(), max_network_retries=2, **kwargs
    )


# --- tier ------------------------------------------------------------------------------


def subscription_gives_pro(sub: Subscription, settings: Settings, now: datetime) -> bool:
    if sub.status in PRO_STATUSES:
        return True
    if sub.status == "past_due" and sub.past_due_since is not None:
        return now - sub.past_due_since < timedelta(seconds=settings.past_due_grace_seconds)
    return False


def user_subscriptions(db: Session, user: User) -> list[Subscription]:
    return list(
        db.execute(
            select(Subscription)
            .where(Subscription.user_id == user.id)
            .order_by(Subscription.snapshot_created.desc(), Subscription.id)
        ).scalars()
    )


def primary_subscription(
    db: Session, user: User, settings: Settings, now: datetime | None = None
) -> Subscription | None:
    """The subscription to show: one that grants Pro if any, else the most recent."""
    now = now or utcnow()
    subs = user_subscriptions(db, user)
    for sub in subs:
        if subscription_gives_pro(sub, settings, now):
            return sub
    return subs[0] if subs else None


def user_tier(db: Session, user: User, settings: Settings, now: datetime | None = None) -> str:
    """``"pro"`` or ``"free"`` from the stored subscription state and the clock."""
    now = now or utcnow()
    sub = primary_subscription(db, user, settings, now)
    return "pro" if sub is not None and subscription_gives_pro(sub, settings, now) else "free"


def billing_summary(db: Session, user: User, settings: Settings) -> dict[str, object]:
    now = utcnow()
    sub = primary_subscription(db, user, settings, now)
    tier = "pro" if sub is not None and subscription_gives_pro(sub, settings, now) else "free"
    summary: dict[str, object] = {
        "tier": tier,
        "subscription_status": sub.status if sub else None,
        "current_period_end": sub.current_period_end.isoformat()
        if sub and sub.current_period_end
        else None,
        "cancel_at_period_end": bool(sub.cancel_at_period_end) if sub else False,
        "grace_period_ends_at": None,
    }
    if sub is not None and sub.status == "past_due" and sub.past_due_since is not None:
        ends = sub.past_due_since + timedelta(seconds=settings.past_due_grace_seconds)
        summary["grace_period_ends_at"] = ends.isoformat()
    return summary


# --- Stripe calls ----------------------------------------------------------------------


def ensure_customer(
    db: Session, client: stripe.StripeClient, user: User, commit: bool = True
) -> str:
    """The user's Stripe customer id, creating the customer on first use (and committing)."""
    if user.stripe_customer_id:
        return user.stripe_customer_id
    params: dict = {"metadata": {"user_id": user.id}}
    if user.email:
        params["email"] = user.email
    if user.name:
        params["name"] = user.name
    customer = client.v1.customers.create(
        params=params,  # type: ignore[arg-type]
        options={"idempotency_key": f"rlcoach-customer-{user.id}"},
    )
    user.stripe_customer_id = customer.id
    if commit:
        db.commit()
    return customer.id


def _open_checkout_urls(client: stripe.StripeClient, customer_id: str) -> list[str]:
    found = client.v1.checkout.sessions.list(params={"customer": customer_id, "status": "open"})
    return [s.url for s in found.auto_paging_iter() if s.url]


def _live_subscription_at_stripe(client: stripe.StripeClient, customer_id: str) -> bool:
    found = client.v1.subscriptions.list(params={"customer": customer_id, "status": "all"})
    return any(s.status not in ENDED_STATUSES for s in found.auto_paging_iter())


def create_checkout(
    db: Session, client: stripe.StripeClient, settings: Settings, user: User
) -> str:
    """Checkout Session URL for the Pro subscription: at most one open session per user.

    Asking again while a session is open returns that session's URL, and a subscription
    Stripe already has (its webhook not here yet) refuses a new one, so completing two
    checkouts can never bill twice. The user row is locked while we ask Stripe, so two
    concurrent requests (two workers) do this one after the other.
    """
    if user_tier(db, user, settings) == "pro":
        raise BillingError(409, "already subscribed; manage it with POST /billing/portal")
    db.execute(
        select(User)
        .where(User.id == user.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    customer_id = ensure_customer(db, client, user, commit=False)
    existing = _open_checkout_urls(client, customer_id)
    if existing:
        db.commit()
        return existing[0]
    if _live_subscription_at_stripe(client, customer_id):
        db.commit()
        raise BillingError(409, "already subscribed; manage it with POST /billing/portal")
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "customer": customer_id,
            "client_reference_id": user.id,
            "line_items": [{"price": settings.stripe_price_id_pro, "quantity": 1}],
            "success_url": settings.billing_url("success"),
            "cancel_url": settings.billing_url("cancel"),
            "metadata": {"user_id": user.id},
            "subscription_data": {"metadata": {"user_id": user.id}},
        }
    )
    db.commit()  # releases the user row lock
    if not session.url:
        raise BillingError(502, "Stripe returned no checkout URL")
    return session.url


def create_portal(client: stripe.StripeClient, settings: Settings, user: User) -> str:
    if not user.stripe_customer_id:
        raise BillingError(409, "no billing account yet; subscribe with POST /billing/checkout")
    session = client.v1.billing_portal.sessions.create(
        params={
            "customer": user.stripe_customer_id,
            "return_url": settings.billing_url("portal_return"),
        }
    )
    return session.url


def _ignore_missing(exc: stripe.InvalidRequestError) -> None:
    if exc.code != "resource_missing":
        raise exc


def close_stripe_account(db: Session, client: stripe.StripeClient, user: User) -> list[str]:
    """Stop everything Stripe has for ``user`` before the account is deleted.

    Asks Stripe rather than trusting our rows, because a subscription whose webhook has not
    arrived yet is billing all the same: expire open Checkout Sessions (so none completes
    later), cancel every live subscription, then delete the customer (its email and name
    go with it; Stripe keeps the payment records it must by law). Returns cancelled ids.
    """
    cancelled = cancel_subscriptions(db, client, user)
    customer_id = user.stripe_customer_id
    if not customer_id:
        return cancelled
    for session in client.v1.checkout.sessions.list(
        params={"customer": customer_id, "status": "open"}
    ).auto_paging_iter():
        try:
            client.v1.checkout.sessions.expire(session.id)
        except stripe.InvalidRequestError as exc:
            log.info("checkout session %s could not be expired (%s)", session.id, exc.code)
    for sub in client.v1.subscriptions.list(
        params={"customer": customer_id, "status": "all"}
    ).auto_paging_iter():
        if sub.status in ENDED_STATUSES or sub.id in cancelled:
            continue
        try:
            client.v1.subscriptions.cancel(sub.id)
        except stripe.InvalidRequestError as exc:
            _ignore_missing(exc)
        cancelled.append(sub.id)
    try:
        client.v1.customers.delete(customer_id)
    except stripe.InvalidRequestError as exc:
        _ignore_missing(exc)
    return cancelled


def cancel_subscriptions(db: Session, client: stripe.StripeClient, user: User) -> list[str]:
    """Cancel every live subscription of ``user`` at Stripe, now. Returns the ids."""
    cancelled = []
    for sub in user_subscriptions(db, user):
        if sub.status in ENDED_STATUSES:
            continue
        try:
            client.v1.subscriptions.cancel(sub.id)
        except stripe.InvalidRequestError as exc:
            # Already gone at Stripe: nothing left to stop billing.
            if exc.code != "resource_missing":
                raise
        sub.status = "canceled"
        cancelled.append(sub.id)
    return cancelled
