"""Billing routes: Checkout and Customer Portal sessions, the Stripe webhook, and the
plain page Stripe sends the browser back to.

Design: routes stay thin; ``services.billing`` talks to Stripe and computes the tier,
``services.stripe_events`` verifies and applies webhooks. Stripe failures become 502 with
a generic message (their text can include ids we don't want to echo).
"""

from __future__ import annotations

import logging
from typing import Any

import stripe
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from ..config import Settings
from ..deps import CurrentUser, DbDep, SettingsDep
from ..services import billing, stripe_events

log = logging.getLogger(__name__)
router = APIRouter(tags=["billing"])

ERR = {"description": "error", "content": {"application/json": {}}}


def _billing_error(exc: billing.BillingError) -> JSONResponse:
    return JSONResponse({"detail": exc.message}, status_code=exc.status)


def _stripe_failed(exc: stripe.StripeError) -> JSONResponse:
    log.warning("Stripe call failed: %s (request %s)", type(exc).__name__, exc.request_id)
    return JSONResponse({"detail": "the payment provider is unavailable"}, status_code=502)


@router.post("/billing/checkout", responses={401: ERR, 409: ERR, 502: ERR})
def checkout(request: Request, user: CurrentUser, db: DbDep, settings: SettingsDep) -> Any:
    """Create a Stripe Checkout Session for Pro; open the returned URL in a browser."""
    try:
        url = billing.create_checkout(db, request.app.state.stripe, settings, user)
    except billing.BillingError as exc:
        return _billing_error(exc)
    except stripe.StripeError as exc:
        return _stripe_failed(exc)
    return {"url": url}


@router.post("/billing/portal", responses={401: ERR, 409: ERR, 502: ERR})
def portal(request: Request, user: CurrentUser, settings: SettingsDep) -> Any:
    """Create a Stripe Customer Portal session (manage or cancel the subscription)."""
    try:
        url = billing.create_portal(request.app.state.stripe, settings, user)
    except billing.BillingError as exc:
        return _billing_error(exc)
    except stripe.StripeError as exc:
        return _stripe_failed(exc)
    return {"url": url}


def _apply(request: Request, event: dict[str, Any]) -> bool:
    settings: Settings = request.app.state.settings
    with request.app.state.sessionmaker() as db:
        return stripe_events.process(db, settings, event, request.app.state.stripe)


@router.post("/billing/webhook", responses={400: ERR})
async def webhook(request: Request) -> JSONResponse:
    """Stripe webhook endpoint; the body must be the exact bytes Stripe signed."""
    settings: Settings = request.app.state.settings
    payload = await request.body()
    try:
        event = stripe_events.verify(settings, payload, request.headers.get("stripe-signature"))
    except stripe_events.InvalidEvent as exc:
        log.warning("rejected webhook: %s", exc)
        return JSONResponse({"detail": str(exc)}, status_code=400)
    try:
        applied = await run_in_threadpool(_apply, request, event)
    except stripe_events.MALFORMED as exc:
        # The session was rolled back on close: nothing of the event was kept.
        log.warning("rejected webhook %s: malformed (%s)", event["id"], type(exc).__name__)
        return JSONResponse({"detail": "malformed event"}, status_code=400)
    return JSONResponse({"received": True, "duplicate": not applied})


@router.get("/billing/done", response_class=HTMLResponse, include_in_schema=False)
def done() -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><title>rlcoach</title><p>All set. You can close this window and "
        "return to rlcoach.</p>"
    )
