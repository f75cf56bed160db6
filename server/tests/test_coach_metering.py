"""Metering under concurrency (through the real HTTP server), the metering service on its own,
and the pure pieces (prices, SSE splitting, usage tracking)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import anthropic
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fake_anthropic import MODEL
from rlcoach_server.config import Settings
from rlcoach_server.models import CoachAllowance, CoachLedger, User
from rlcoach_server.services import metering
from rlcoach_server.services.coach_pricing import (
    ModelPrice,
    TokenUsage,
    cost_units,
    estimate_input_tokens,
    worst_case_units,
)
from rlcoach_server.services.coach_ratelimit import RateLimiter
from rlcoach_server.services.coach_sse import SSESplitter, UsageTracker, parse_event

if TYPE_CHECKING:
    from coach_harness import CoachServer

# The harness fixtures (coach_server, fake_anthropic, token_for) come as a plugin.
pytest_plugins = ["coach_harness"]

SONNET = ModelPrice(Decimal(3), Decimal(15), Decimal("3.75"), Decimal("0.30"))


def _exact_cost_body(max_tokens: int) -> tuple[dict[str, object], int]:
    """A request whose reported usage makes its real cost equal its reservation: the fake
    reports every estimated input token as a 1-hour cache write (the dearest input) and
    max_tokens of output, so an allowance of 10 reservations fits exactly 10 calls, whatever
    the timing."""

    def body(estimate: int) -> dict[str, object]:
        text = (
            f"coach me [fake:delay=0.3][fake:in=0][fake:cwh={estimate:06d}][fake:out={max_tokens}]"
        )
        return {"max_tokens": max_tokens, "messages": [{"role": "user", "content": text}]}

    estimate = estimate_input_tokens(body(0))  # fixed width: the estimate doesn't move
    final = body(estimate)
    assert estimate_input_tokens(final) == estimate
    return final, worst_case_units(SONNET, estimate, max_tokens)


@pytest.mark.postgres_only
def test_50_concurrent_calls_against_an_allowance_for_10(
    coach_server: Callable[..., CoachServer],
    user_factory: Callable[..., User],
    token_for: Callable[[User], str],
    engine: Engine,
) -> None:
    body, reservation = _exact_cost_body(max_tokens=40)
    server = coach_server(coach_allowances={"free": 10 * reservation, "pro": 10**9})
    user = user_factory()
    token = token_for(user)

    def call(i: int) -> str:
        client = server.sdk(token)
        try:
            if i % 2:
                with client.messages.stream(model=MODEL, **body) as stream:  # type: ignore[arg-type]
                    stream.get_final_message()
            else:
                client.messages.create(model=MODEL, **body)  # type: ignore[arg-type]
            return "ok"
        except anthropic.PaymentRequiredError:
            return "402"

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(call, range(50)))
    assert results.count("ok") == 10 and results.count("402") == 40

    with Session(engine) as s:
        allowance = s.get(CoachAllowance, (user.id, metering.period_of(datetime.now(UTC))))
        assert allowance is not None
        total = s.execute(
            select(func.sum(CoachLedger.cost_units)).where(CoachLedger.user_id == user.id)
        ).scalar_one()
        statuses = s.execute(
            select(CoachLedger.status, func.count())
            .where(CoachLedger.user_id == user.id)
            .group_by(CoachLedger.status)
        ).all()
    assert dict(statuses) == {"ok": 10, "rejected": 40}
    assert allowance.reserved_units == 0
    assert total == allowance.used_units == 10 * reservation == allowance.limit_units


# --------------------------------------------------------------------------- service


def test_reserve_settle_release_and_sweep(
    db_session: Session, user_factory: Callable[..., User], settings: Settings
) -> None:
    user = user_factory()
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    r1 = metering.reserve(
        db_session, user_id=user.id, limit=1000, units=600, model=MODEL, stream=True, now=now
    )
    assert r1 is not None and r1.period == "2026-11"
    assert (
        metering.reserve(
            db_session, user_id=user.id, limit=1000, units=500, model=MODEL, stream=True, now=now
        )
        is None
    )  # 600 + 500 > 1000
    r2 = metering.reserve(
        db_session, user_id=user.id, limit=1000, units=400, model=MODEL, stream=False, now=now
    )
    assert r2 is not None
    assert metering.settle(
        db_session,
        r1.ledger_id,
        status="ok",
        cost=250,
        usage=TokenUsage(10, 20),
        request_id="req_1",
        now=now,
    )
    assert not metering.settle(db_session, r1.ledger_id, status="ok", cost=999, now=now)
    # r2 is never settled (its worker "died"): the sweep charges its reservation.
    assert (
        metering.sweep_stale(db_session, timedelta(minutes=30), now=now + timedelta(hours=1)) == 1
    )
    db_session.commit()
    row = db_session.get(CoachAllowance, (user.id, "2026-11"))
    assert row is not None
    assert (row.used_units, row.reserved_units, row.limit_units) == (650, 0, 1000)
    rows = db_session.execute(select(CoachLedger).order_by(CoachLedger.id)).scalars().all()
    assert [(r.status, r.cost_units) for r in rows] == [
        ("ok", 250),
        ("rejected", 0),
        ("stale", 400),
    ]
    # A new month starts from zero.
    dec = now + timedelta(days=10)
    assert (
        metering.reserve(
            db_session, user_id=user.id, limit=1000, units=1000, model=MODEL, stream=True, now=dec
        )
        is not None
    )


def test_usage_summary_is_per_user(
    db_session: Session, user_factory: Callable[..., User], settings: Settings
) -> None:
    alice, bob = user_factory(), user_factory()
    r = metering.reserve(
        db_session, user_id=alice.id, limit=500_000, units=100, model=MODEL, stream=True
    )
    assert r is not None
    metering.settle(db_session, r.ledger_id, status="ok", cost=42)
    db_session.commit()
    a = metering.usage_summary(db_session, alice, settings)
    b = metering.usage_summary(db_session, bob, settings)
    assert (a["used"], a["remaining"], len(a["recent"])) == (42, 500_000 - 42, 1)
    assert (b["used"], b["remaining"], b["recent"]) == (0, 500_000, [])
    assert a["period_resets_at"].startswith(
        metering.next_period_start(datetime.now(UTC)).date().isoformat()
    )


def test_database_rate_limiter_windows(
    db_session: Session, user_factory: Callable[..., User], settings: Settings
) -> None:
    user = user_factory()
    limiter = RateLimiter(
        settings.model_copy(
            update={"coach_rate_limit_requests": 2, "coach_rate_limit_window_seconds": 60}
        )
    )
    t = 1_800_000_000.0
    assert [limiter.hit(db_session, user.id, t + i).allowed for i in range(3)] == [
        True,
        True,
        False,
    ]
    assert limiter.hit(db_session, user.id, t + 2).retry_after == 60 - 2 - int(t) % 60
    assert limiter.hit(db_session, user.id, t + 60).allowed  # next window


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_redis_rate_limiter(settings: Settings) -> None:
    limiter = RateLimiter(
        settings.model_copy(
            update={
                "coach_rate_limit_requests": 2,
                "coach_rate_limit_window_seconds": 60,
                "coach_redis_url": "redis://127.0.0.1:6379/0",
            }
        )
    )
    user_id = "u" + format(id(limiter), "x")
    t = 1_800_000_000.0 + (id(limiter) % 1000) * 60  # a window of this test alone
    got = [limiter.hit(None, user_id, t).allowed for _ in range(3)]  # type: ignore[arg-type]
    assert got == [True, True, False]

    async def async_hits() -> list[bool]:
        return [(await limiter.hit_redis(user_id + "a", t)).allowed for _ in range(3)]

    assert asyncio.run(async_hits()) == [True, True, False]


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_redis_rate_limit_through_the_server(
    coach_server: Callable[..., CoachServer],
    user_factory: Callable[..., User],
    token_for: Callable[[User], str],
) -> None:
    server = coach_server(
        coach_redis_url="redis://127.0.0.1:6379/0",
        coach_rate_limit_requests=1,
        coach_rate_limit_window_seconds=3600,
    )
    client = server.sdk(token_for(user_factory()))
    messages = [{"role": "user", "content": "hi"}]
    client.messages.create(model=MODEL, max_tokens=8, messages=messages)  # type: ignore[arg-type]
    with pytest.raises(anthropic.RateLimitError):
        client.messages.create(model=MODEL, max_tokens=8, messages=messages)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- pure


def test_costs_are_integer_micro_dollars_rounded_up_once() -> None:
    assert cost_units(SONNET, TokenUsage(1_000_000, 0)) == 3_000_000  # $3 per MTok
    assert cost_units(SONNET, TokenUsage(0, 0, 0, 1)) == 1  # $0.30/MTok: 0.3 unit -> 1
    assert cost_units(SONNET, TokenUsage(10, 10, 10, 10)) == 221  # 30+150+37.5+3 = 220.5
    # 4 of the 10 writes for an hour, at 2x input: 30+150+22.5+24+3 = 229.5
    assert cost_units(SONNET, TokenUsage(10, 10, 10, 10, cache_write_1h_tokens=4)) == 230
    assert worst_case_units(SONNET, 100, 10) == 600 + 150  # inputs at the 1-hour write rate
    priced = ModelPrice.from_mapping(
        {"input": 3, "output": 15, "cache_write": 3.75, "cache_write_1h": 7, "cache_read": 0.3}
    )
    assert priced.write_1h == 7 and SONNET.write_1h == 6
    with pytest.raises(ValueError):
        ModelPrice.from_mapping({"input": 1})


def test_estimate_is_an_upper_bound_of_text_tokens() -> None:
    text = "ünïcode " * 50
    body = {"messages": [{"role": "user", "content": text}]}
    assert estimate_input_tokens(body) >= len(text.encode())
    with_tools = {**body, "tools": [{"name": "t", "input_schema": {}}]}
    assert estimate_input_tokens(with_tools) > estimate_input_tokens(body) + 999


def test_sse_splitter_handles_any_chunking_and_line_endings() -> None:
    stream = (
        b'event: message_start\ndata: {"type":"message_start","message":'
        b'{"usage":{"input_tokens":5,"output_tokens":1}}}\n\n'
        b": comment\r\nevent: ping\r\ndata: {}\r\n\r\n"
        b'event: message_delta\ndata: {"type":"message_delta","usage":'
        b'{"output_tokens":9}}\n\nevent: message_stop\ndata: {}\n\n'
    )
    for size in (1, 3, 7, len(stream)):
        splitter, tracker, events = SSESplitter(), UsageTracker(), []
        for i in range(0, len(stream), size):
            for ev in splitter.feed(stream[i : i + size]):
                tracker.observe(ev)
                events.append(ev)
        assert b"".join(events) == stream and splitter.pending == 0
        assert [parse_event(e)[0] for e in events] == [
            "message_start",
            "ping",
            "message_delta",
            "message_stop",
        ]
        assert (tracker.usage.input_tokens, tracker.usage.output_tokens) == (5, 9)
        assert tracker.started and tracker.final_usage and tracker.stopped


def test_tracker_records_error_events() -> None:
    tracker = UsageTracker()
    err = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    tracker.observe(f"event: error\ndata: {json.dumps(err)}\n\n".encode())
    assert tracker.error == err["error"] and not tracker.started


def test_pro_subscription_gets_the_pro_allowance(
    db_session: Session, user_factory: Callable[..., User], settings: Settings
) -> None:
    from rlcoach_server.models import Subscription

    user = user_factory()
    db_session.add(
        Subscription(
            id="sub_test_1",
            user_id=user.id,
            customer_id="cus_1",
            status="active",
            price_id=settings.stripe_price_id_pro,
        )
    )
    db_session.commit()
    summary = metering.usage_summary(db_session, user, settings)
    assert summary["tier"] == "pro"
    assert summary["allowance"] == settings.coach_allowances["pro"] == summary["remaining"]
