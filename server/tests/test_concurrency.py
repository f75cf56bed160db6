"""Races that row locks must settle (PostgreSQL's SELECT ... FOR UPDATE semantics).

Several TestClients on one app, each in its own thread, stand in for concurrent requests
hitting different workers.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from conftest import PUBLIC_URL
from flows import approve, browser_login, login_cli, poll, refresh, start_device
from rlcoach_server.models import DeviceAuthorization, StripeEvent, utcnow
from stripe_helpers import event, sign

pytestmark = pytest.mark.postgres_only
N = 6


def _parallel(app: FastAPI, fn) -> list:
    # One client (one app lifespan, as in a worker) and N requests in flight at
    # once. N clients would start N lifespans of one app object concurrently,
    # which no deployment does and which could hang TestClient's startup.
    with TestClient(app, base_url=PUBLIC_URL) as c, ThreadPoolExecutor(N) as pool:
        return list(pool.map(lambda _: fn(c), range(N)))


def test_refresh_token_redeemed_once(app, client, make_client, fake_provider) -> None:
    tokens = login_cli(client, make_client(app), fake_provider)
    codes = _parallel(app, lambda c: refresh(c, tokens["refresh_token"]).status_code)
    assert codes.count(200) == 1 and codes.count(400) == N - 1


def test_device_code_redeemed_once(
    app, client, make_client, fake_provider, db_session: Session
) -> None:
    browser = make_client(app)
    started = start_device(client)
    browser_login(browser, fake_provider, user_code=started["user_code"])
    approve(browser, started["user_code"])
    db_session.execute(
        update(DeviceAuthorization).values(last_polled_at=utcnow() - timedelta(minutes=1))
    )
    db_session.commit()
    codes = _parallel(app, lambda c: poll(c, started["device_code"]).status_code)
    assert codes.count(200) == 1


def test_duplicate_webhook_deliveries_apply_once(app, db_session: Session) -> None:
    payload = json.dumps(event("customer.created", {"id": "cus_1"}, int(time.time())))

    def deliver(c: TestClient):
        r = c.post("/billing/webhook", content=payload, headers={"Stripe-Signature": sign(payload)})
        return r.status_code, r.json().get("duplicate")

    results = _parallel(app, deliver)
    assert all(status == 200 for status, _ in results)
    assert [dup for _, dup in results].count(False) == 1
    assert db_session.execute(select(func.count()).select_from(StripeEvent)).scalar_one() == 1
