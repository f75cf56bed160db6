"""Build Stripe webhook events and sign them the way Stripe does.

The signature is computed here independently of the server code, straight from Stripe's
documented scheme: ``Stripe-Signature: t=<unix>,v1=hex(HMAC-SHA256(secret, f"{t}.{body}"))``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from fastapi.testclient import TestClient

from conftest import WEBHOOK_SECRET

PRICE = "price_pro_monthly"


def sign(payload: str, secret: str = WEBHOOK_SECRET, t: int | None = None) -> str:
    t = int(time.time()) if t is None else t
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def event(etype: str, obj: dict[str, Any], created: int, event_id: str | None = None) -> dict:
    return {
        "id": event_id or "evt_" + secrets.token_hex(12),
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created,
        "type": etype,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "data": {"object": obj},
    }


def subscription(
    sub_id: str, customer: str, status: str, period_end: int, cancel_at_period_end: bool = False
) -> dict:
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "cancel_at_period_end": cancel_at_period_end,
        "created": period_end - 30 * 86400,
        "metadata": {},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_" + sub_id,
                    "object": "subscription_item",
                    "current_period_end": period_end,
                    "price": {"id": PRICE, "object": "price"},
                }
            ],
        },
    }


def checkout_session(user_id: str, customer: str, sub_id: str) -> dict:
    return {
        "id": "cs_test_" + secrets.token_hex(8),
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "payment_status": "paid",
        "client_reference_id": user_id,
        "customer": customer,
        "subscription": sub_id,
    }


def invoice(sub_id: str, customer: str, period_end: int | None = None) -> dict:
    lines = []
    if period_end is not None:
        lines = [
            {"object": "line_item", "period": {"start": period_end - 30 * 86400, "end": period_end}}
        ]
    return {
        "id": "in_" + secrets.token_hex(8),
        "object": "invoice",
        "customer": customer,
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": sub_id},
        },
        "lines": {"object": "list", "data": lines},
    }


def deliver(client: TestClient, evt: dict, **sign_kwargs: Any) -> Any:
    payload = json.dumps(evt)
    return client.post(
        "/billing/webhook",
        content=payload,
        headers={
            "Stripe-Signature": sign(payload, **sign_kwargs),
            "Content-Type": "application/json",
        },
    )
