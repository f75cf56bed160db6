"""Coach usage that must outlive a worker or an account (issue 13 items 6 and 8): the
periodic sweep of calls a dead worker left pending, and the allowance following the login
identity across account deletion. Same harness as test_coach.py."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

import anthropic
import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fake_anthropic import MODEL, UPSTREAM_KEY, FakeAnthropic
from rlcoach_server.config import Settings
from rlcoach_server.models import CoachAllowance, CoachIdentityUsage, CoachLedger, User, utcnow
from rlcoach_server.services import coach_upkeep, metering
from rlcoach_server.services.coach_pricing import price_table, worst_case_units
from rlcoach_server.services.providers import UpstreamIdentity
from rlcoach_server.services.users import get_or_create_user
from server_process import server_process

if TYPE_CHECKING:
    from coach_harness import CoachServer

pytest_plugins = ["coach_harness"]

Start = Callable[..., "CoachServer"]
USER_MSG = [{"role": "user", "content": "How do I save more boost on kickoff?"}]


def _pending(engine: Engine, user: User, worker: str, units: int, bound: int) -> int:
    with Session(engine) as s:
        r = metering.reserve(
            s,
            user_id=user.id,
            limit=10**9,
            units=units,
            model=MODEL,
            stream=True,
            now=utcnow() - timedelta(seconds=20),
            worker_id=worker,
            input_bound=bound,
        )
        s.commit()
    assert r is not None
    return r.ledger_id


def _row(engine: Engine, ledger_id: int) -> CoachLedger:
    with Session(engine) as s:
        row = s.get(CoachLedger, ledger_id)
        assert row is not None
        return row


def test_running_server_sweeps_a_dead_workers_calls(
    coach_server: Start, engine: Engine, user_factory: Callable[..., User]
) -> None:
    user = user_factory()
    with Session(engine) as s:  # a worker that beat 10 minutes ago, then was SIGKILLed
        coach_upkeep.heartbeat(s, "gone:1:dead", utcnow() - timedelta(minutes=10))
        s.commit()
    dead = _pending(engine, user, "gone:1:dead", units=60_000, bound=300)
    never_beat = _pending(engine, user, "gone:2:never", units=60_000, bound=100)
    # A call of this very process (the server runs in a thread of it): alive, never swept.
    alive = _pending(engine, user, coach_upkeep.worker_id(), units=60_000, bound=100)
    server = coach_server(coach_upkeep_interval_seconds=0.2)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _row(engine, never_beat).status == "pending":
        time.sleep(0.1)
    time.sleep(0.5)  # a few more passes: the live call must survive them
    price = server.price
    for ledger_id, bound in ((dead, 300), (never_beat, 100)):
        row = _row(engine, ledger_id)
        assert row.status == "stale"
        # What the ledger justifies: the input bound, not the 60,000-unit worst case.
        assert row.cost_units == worst_case_units(price, bound, 0) < row.reserved_units
    assert _row(engine, alive).status == "pending"
    allowance = server.allowance(user)
    assert allowance is not None
    assert allowance.used_units == worst_case_units(price, 400, 0)
    assert allowance.reserved_units == 60_000


def _sign_in(engine: Engine, ident: UpstreamIdentity) -> User:
    with Session(engine, expire_on_commit=False) as s:
        user = get_or_create_user(s, ident)
        s.commit()
        return user


def test_allowance_follows_the_identity_across_deletion(
    coach_server: Start,
    engine: Engine,
    auth_headers: Callable[[User], dict[str, str]],
) -> None:
    body = {"messages": USER_MSG, "max_tokens": 64}
    one_call = coach_server().reservation(body)
    server = coach_server(coach_allowances={"free": one_call + 50, "pro": 10**9})
    ident = UpstreamIdentity("discord", "80351110224678912", "a@example.com", "A")
    first = _sign_in(engine, ident)
    headers = auth_headers(first)
    client = server.sdk(headers["Authorization"].removeprefix("Bearer "))
    client.messages.create(model=MODEL, **body)  # type: ignore[arg-type]
    used = server.allowance(first).used_units  # type: ignore[union-attr]
    assert httpx.delete(server.url + "/me", headers=headers).status_code == 204

    again = _sign_in(engine, ident)  # the same Discord account signs in again
    assert again.id != first.id
    token = auth_headers(again)["Authorization"].removeprefix("Bearer ")
    usage = httpx.get(server.url + "/coach/usage", headers={"x-api-key": token}).json()
    assert usage["used"] == used
    with pytest.raises(anthropic.PaymentRequiredError):
        server.sdk(token).messages.create(model=MODEL, **body)  # type: ignore[arg-type]
    # Only a keyed hash of the identity and the month's units are kept.
    with Session(engine) as s:
        [kept] = s.execute(select(CoachIdentityUsage)).scalars()
    assert kept.used_units == used and "80351110224678912" not in kept.identity_hash
    # Another identity is not affected.
    other = _sign_in(engine, UpstreamIdentity("discord", "1", None, None))
    other_token = auth_headers(other)["Authorization"].removeprefix("Bearer ")
    server.sdk(other_token).messages.create(model=MODEL, **body)  # type: ignore[arg-type]


@pytest.mark.postgres_only
def test_sigkilled_worker_mid_stream_is_swept_by_the_restarted_server(
    settings: Settings,
    fake_anthropic: tuple[FakeAnthropic, str],
    engine: Engine,
    user_factory: Callable[..., User],
    token_for: Callable[[User], str],
    _clean_tables: None,
) -> None:
    """The issue's scenario end to end: a real server process is SIGKILLed mid-stream; the
    restarted server charges the call within a few upkeep periods (was: an hour on)."""
    fake, fake_url = fake_anthropic
    configured = settings.model_copy(
        update={
            "anthropic_api_key": UPSTREAM_KEY,
            "anthropic_base_url": fake_url,
            "coach_upkeep_interval_seconds": 0.3,
        }
    )
    user = user_factory()
    body = {
        "model": MODEL,
        "max_tokens": 64,
        "stream": True,
        "messages": [{"role": "user", "content": "slowly [fake:pace=0.3]"}],
    }
    with (
        server_process(configured) as first,
        httpx.Client(timeout=10) as raw,
        raw.stream(
            "POST",
            first.url + "/coach/v1/messages",
            json=body,
            headers={"x-api-key": token_for(user)},
        ) as resp,
    ):
        for line in resp.iter_lines():
            if "message_start" in line:
                os.kill(first.pid, signal.SIGKILL)  # mid-stream, nothing settled
                break
    with Session(engine) as s:
        [row] = s.execute(select(CoachLedger).where(CoachLedger.user_id == user.id)).scalars()
    assert row.status == "pending"
    with server_process(configured):  # the restart
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _row(engine, row.id).status == "pending":
            time.sleep(0.2)
    swept = _row(engine, row.id)
    price = price_table(configured.coach_prices)[MODEL]
    assert swept.status == "stale"
    assert swept.cost_units == worst_case_units(price, swept.input_bound, 0) < swept.reserved_units
    with Session(engine) as s:
        [allowance] = s.execute(
            select(CoachAllowance).where(CoachAllowance.user_id == user.id)
        ).scalars()
    assert (allowance.reserved_units, allowance.used_units) == (0, swept.cost_units)
