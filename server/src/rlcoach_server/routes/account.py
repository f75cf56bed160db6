"""``GET /me`` (who am I, tier, subscription, coach allowance) and ``DELETE /me``.

Design: everything is scoped to the bearer token's user; there is no user id in any path,
so one user cannot name another's data. ``DELETE /me`` first closes the account at Stripe
(``billing.close_stripe_account``: open checkouts expired, every subscription Stripe has
cancelled, the customer deleted) and only then deletes the user, whose tokens,
identities, subscriptions and coach rows go with it (ON DELETE CASCADE).
"""

from __future__ import annotations

import logging
from typing import Any

import stripe
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import delete

from ..deps import CurrentUser, DbDep, SettingsDep
from ..models import User
from ..services import billing
from ..services.metering import remember_usage, usage_summary

log = logging.getLogger(__name__)
router = APIRouter(tags=["account"])


@router.get("/me", responses={401: {"description": "missing or invalid access token"}})
def me(user: CurrentUser, db: DbDep, settings: SettingsDep) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "created_at": user.created_at.isoformat(),
        **billing.billing_summary(db, user, settings),
    }
    body["coach"] = usage_summary(db, user, settings)
    return body


@router.delete(
    "/me",
    status_code=204,
    responses={
        401: {"description": "missing or invalid access token"},
        502: {"description": "Stripe could not cancel the subscription"},
    },
)
def delete_me(request: Request, user: CurrentUser, db: DbDep, settings: SettingsDep) -> Response:
    client = request.app.state.stripe
    try:
        cancelled = billing.close_stripe_account(db, client, user)
    except stripe.StripeError as exc:
        db.rollback()
        log.warning("account deletion stopped: Stripe cancel failed (%s)", type(exc).__name__)
        return JSONResponse(
            {"detail": "could not cancel the subscription; the account was not deleted"},
            status_code=502,
        )
    # Usage follows the login identity: kept (hashed) so signing in again does not reset it.
    remember_usage(db, user.id, settings.secret_key.get_secret_value().encode())
    db.execute(delete(User).where(User.id == user.id))
    db.commit()
    log.info("user %s deleted (cancelled subscriptions: %d)", user.id, len(cancelled))
    return Response(status_code=204)
