"""The coach proxy end to end: the real ``anthropic`` SDK -> our server (uvicorn, loopback) ->
the fake Anthropic API (uvicorn, loopback), with the real database behind our server."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anthropic
import httpx
import pytest

from fake_anthropic import FAKE_TEXT, MODEL, UPSTREAM_KEY, FakeAnthropic
from rlcoach_server.models import User
from rlcoach_server.services.coach_pricing import (
    TokenUsage,
    cost_units,
    worst_case_units,
)

if TYPE_CHECKING:
    from coach_harness import CoachServer

# The harness fixtures (coach_server, fake_anthropic, token_for) come as a plugin.
pytest_plugins = ["coach_harness"]

Start = Callable[..., "CoachServer"]
USER_MSG = [{"role": "user", "content": "How do I save more boost on kickoff?"}]


# --------------------------------------------------------------------------- streaming


def test_stream_helper_text(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    user = user_factory()
    client = server.sdk(token_for(user))
    with client.messages.stream(model=MODEL, max_tokens=256, messages=USER_MSG) as stream:
        deltas = list(stream.text_stream)
        final = stream.get_final_message()
    assert deltas == FAKE_TEXT
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == len(FAKE_TEXT)

    # Upstream got the server's key and version, never the user's token.
    sent = server.fake.requests[-1]
    assert sent.headers["x-api-key"] == UPSTREAM_KEY
    assert sent.headers["anthropic-version"]
    assert sent.body["max_tokens"] == 256 and sent.body["stream"] is True

    [row] = server.ledger(user)
    assert row.status == "ok" and row.stream
    assert row.input_tokens == final.usage.input_tokens
    assert row.output_tokens == len(FAKE_TEXT)
    assert row.cost_units == server.expected_cost(USER_MSG, len(FAKE_TEXT))
    assert row.upstream_request_id and row.upstream_request_id.startswith("req_fake_")
    allowance = server.allowance(user)
    assert allowance is not None
    assert (allowance.used_units, allowance.reserved_units) == (row.cost_units, 0)


def test_create_stream_true_raw_events(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    user = user_factory()
    events = list(
        server.sdk(token_for(user)).messages.create(
            model=MODEL, max_tokens=64, messages=USER_MSG, stream=True
        )
    )
    types = [e.type for e in events]
    assert types[0] == "message_start" and types[-1] == "message_stop"
    assert types.count("content_block_delta") == len(FAKE_TEXT)
    assert "message_delta" in types
    delta = next(e for e in events if e.type == "message_delta")
    assert delta.usage.output_tokens == len(FAKE_TEXT)
    assert server.ledger(user)[0].status == "ok"


def test_stream_tool_use(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    user = user_factory()
    messages = [{"role": "user", "content": "Pull my boost stats [fake:tool_use]"}]
    tools = [
        {
            "name": "get_replay_stats",
            "description": "stats of a replay",
            "input_schema": {
                "type": "object",
                "properties": {"replay_id": {"type": "string"}, "metric": {"type": "string"}},
            },
        }
    ]
    with server.sdk(token_for(user)).messages.stream(
        model=MODEL, max_tokens=200, messages=messages, tools=tools
    ) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "tool_use"
    tool = next(b for b in final.content if b.type == "tool_use")
    assert tool.name == "get_replay_stats"
    assert tool.input == {"replay_id": "r1", "metric": "boost"}
    [row] = server.ledger(user)
    assert row.status == "ok" and row.output_tokens == len(FAKE_TEXT) + 5
    # The tools overhead is part of the worst case reserved before the call.
    assert row.reserved_units >= 1000 * 3


def test_cache_tokens_are_priced(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    user = user_factory()
    messages = [{"role": "user", "content": "again [fake:cache]"}]
    msg = server.sdk(token_for(user)).messages.create(model=MODEL, max_tokens=50, messages=messages)
    assert msg.usage.cache_read_input_tokens == 1000
    [row] = server.ledger(user)
    assert (row.cache_write_tokens, row.cache_read_tokens) == (100, 1000)
    usage = TokenUsage(
        FakeAnthropic.input_tokens({"messages": messages}), len(FAKE_TEXT), 100, 1000
    )
    assert row.cost_units == cost_units(server.price, usage)
    # 100 * $3.75 + 1000 * $0.30 per MTok, on top of input and output
    assert row.cost_units == (usage.input_tokens * 3 + len(FAKE_TEXT) * 15 + 375 + 300)


def test_one_hour_cache_writes_cost_twice_the_input_price(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    user = user_factory()
    messages = [{"role": "user", "content": "again [fake:cache_hour]"}]
    msg = server.sdk(token_for(user)).messages.create(model=MODEL, max_tokens=50, messages=messages)
    assert msg.usage.cache_creation is not None
    assert msg.usage.cache_creation.ephemeral_1h_input_tokens == 100
    [row] = server.ledger(user)
    input_tokens = FakeAnthropic.input_tokens({"messages": messages})
    # 100 one-hour writes at $6 (not $3.75) + 1000 reads at $0.30 per MTok
    assert row.cost_units == input_tokens * 3 + len(FAKE_TEXT) * 15 + 600 + 300


def test_non_streaming(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    user = user_factory()
    msg = server.sdk(token_for(user)).messages.create(model=MODEL, max_tokens=64, messages=USER_MSG)
    assert msg.content[0].text == "".join(FAKE_TEXT)
    [row] = server.ledger(user)
    assert row.status == "ok" and not row.stream
    assert msg._request_id == row.upstream_request_id
    assert row.cost_units == server.expected_cost(USER_MSG, len(FAKE_TEXT))


def test_count_tokens(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    user = user_factory()
    counted = server.sdk(token_for(user)).messages.count_tokens(model=MODEL, messages=USER_MSG)
    assert counted.input_tokens == FakeAnthropic.input_tokens({"messages": USER_MSG})
    assert server.fake.requests[-1].path == "/v1/messages/count_tokens"
    assert server.ledger(user) == []  # free upstream, so not metered


def test_max_tokens_is_clamped(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server(coach_max_tokens=100)
    user = user_factory()
    server.sdk(token_for(user)).messages.create(model=MODEL, max_tokens=5_000, messages=USER_MSG)
    assert server.fake.requests[-1].body["max_tokens"] == 100
    body = {"messages": USER_MSG, "max_tokens": 100}
    assert server.ledger(user)[0].reserved_units == server.reservation(body)


# --------------------------------------------------------------------------- policy


def test_out_of_allowance_is_402(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    body = {"messages": USER_MSG, "max_tokens": 64}
    server = coach_server()
    one_call = server.reservation(body)
    server = coach_server(coach_allowances={"free": one_call + 50, "pro": 10**9})
    user = user_factory()
    client = server.sdk(token_for(user))
    client.messages.create(model=MODEL, **body)  # fits; settles below the reservation
    with pytest.raises(anthropic.PaymentRequiredError) as info:
        client.messages.create(model=MODEL, **body)
    err = info.value.body["error"]  # type: ignore[index]
    assert err["type"] == "billing_error" and "allowance" in err["message"]
    rows = server.ledger(user)
    assert [r.status for r in rows] == ["ok", "rejected"]
    assert rows[1].cost_units == 0
    assert len(server.fake.requests) == 1  # the refused call never went upstream


def test_rate_limit_is_429(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server(coach_rate_limit_requests=2, coach_rate_limit_window_seconds=3600)
    user, other = user_factory(), user_factory()
    client = server.sdk(token_for(user))
    client.messages.count_tokens(model=MODEL, messages=USER_MSG)
    client.messages.create(model=MODEL, max_tokens=8, messages=USER_MSG)
    with pytest.raises(anthropic.RateLimitError) as info:
        client.messages.create(model=MODEL, max_tokens=8, messages=USER_MSG)
    assert int(info.value.response.headers["retry-after"]) > 0
    assert info.value.body["error"]["type"] == "rate_limit_error"  # type: ignore[index]
    # Per user: someone else is not limited by this user's traffic.
    server.sdk(token_for(other)).messages.create(model=MODEL, max_tokens=8, messages=USER_MSG)


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"model": "claude-opus-9", "max_tokens": 8}, "not available"),
        ({"model": MODEL}, "max_tokens"),
        ({"model": MODEL, "max_tokens": 0}, "max_tokens"),
        ({"model": MODEL, "max_tokens": 8, "messages": []}, "messages"),
        ({"model": MODEL, "max_tokens": 8, "service_tier": "auto"}, "service_tier"),
        (
            {
                "model": MODEL,
                "max_tokens": 8,
                "tools": [{"type": "web_search_20250305", "name": "web_search"}],
            },
            "custom tools",
        ),
    ],
)
def test_invalid_requests_are_400(
    coach_server: Start,
    user_factory: Callable[..., User],
    token_for: Callable[[User], str],
    body: dict[str, Any],
    needle: str,
) -> None:
    server = coach_server()
    user = user_factory()
    payload = {"messages": USER_MSG, **body}
    resp = httpx.post(
        server.url + "/coach/v1/messages", json=payload, headers={"x-api-key": token_for(user)}
    )
    assert resp.status_code == 400
    err = resp.json()
    assert err["type"] == "error" and err["error"]["type"] == "invalid_request_error"
    assert needle in err["error"]["message"]
    assert server.fake.requests == []


def test_authentication(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    with pytest.raises(anthropic.AuthenticationError):
        server.sdk("rlc_at_not-a-real-token").messages.create(
            model=MODEL, max_tokens=8, messages=USER_MSG
        )
    # Invalid bodies from anonymous callers are 401, not 400.
    resp = httpx.post(server.url + "/coach/v1/messages", json={"model": "x"})
    assert resp.status_code == 401
    assert resp.json()["error"]["type"] == "authentication_error"
    # The CLI's Authorization: Bearer works as well as the SDK's x-api-key.
    user = user_factory()
    resp = httpx.post(
        server.url + "/coach/v1/messages",
        json={"model": MODEL, "max_tokens": 8, "messages": USER_MSG},
        headers={"authorization": f"Bearer {token_for(user)}"},
    )
    assert resp.status_code == 200 and resp.json()["type"] == "message"
    assert httpx.get(server.url + "/coach/usage").status_code == 401


def test_not_configured_is_503(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server(anthropic_api_key="")
    with pytest.raises(anthropic.APIStatusError) as info:
        server.sdk(token_for(user_factory())).messages.create(
            model=MODEL, max_tokens=8, messages=USER_MSG
        )
    assert info.value.status_code == 503


def test_usage_endpoint_and_tenant_isolation(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    alice, bob = user_factory(), user_factory()
    a, b = token_for(alice), token_for(bob)
    server.sdk(a).messages.create(model=MODEL, max_tokens=8, messages=USER_MSG)
    server.sdk(a).messages.create(model=MODEL, max_tokens=8, messages=USER_MSG)
    server.sdk(b).messages.create(
        model=MODEL, max_tokens=8, messages=[{"role": "user", "content": "[fake:cache]"}]
    )

    def usage(token: str) -> dict[str, Any]:
        resp = httpx.get(server.url + "/coach/usage", headers={"authorization": f"Bearer {token}"})
        assert resp.status_code == 200
        return json.loads(resp.text)

    ua, ub = usage(a), usage(b)
    assert ua["tier"] == "free" and ua["allowance"] == 500_000
    assert len(ua["recent"]) == 2 and len(ub["recent"]) == 1
    assert ua["used"] == sum(r["cost"] for r in ua["recent"])
    assert ub["used"] == ub["recent"][0]["cost"] != ua["recent"][0]["cost"]
    assert ua["remaining"] == ua["allowance"] - ua["used"]
    alice_ids = {r.upstream_request_id for r in server.ledger(alice)}
    assert alice_ids == {r["request_id"] for r in ua["recent"]}
    assert not alice_ids & {r["request_id"] for r in ub["recent"]}


def test_reserving_with_upstream_count_tokens(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server(coach_count_tokens_upstream=True)
    user = user_factory()
    server.sdk(token_for(user)).messages.create(model=MODEL, max_tokens=64, messages=USER_MSG)
    assert [r.path for r in server.fake.requests] == [
        "/v1/messages/count_tokens",
        "/v1/messages",
    ]
    counted = FakeAnthropic.input_tokens({"messages": USER_MSG})
    [row] = server.ledger(user)
    assert row.reserved_units == worst_case_units(server.price, counted, 64)
    assert row.reserved_units < server.reservation({"messages": USER_MSG, "max_tokens": 64})


def test_startup_charges_calls_left_pending(
    coach_server: Start, user_factory: Callable[..., User], engine: Any
) -> None:
    from datetime import timedelta

    from sqlalchemy.orm import Session

    from rlcoach_server.models import utcnow
    from rlcoach_server.services import metering

    user = user_factory()
    with Session(engine) as s:
        old = utcnow() - timedelta(days=1)
        r = metering.reserve(
            s, user_id=user.id, limit=10**6, units=700, model=MODEL, stream=True, now=old
        )
        assert r is not None
        s.commit()
    server = coach_server()  # a worker starting after the one that held the call died
    [row] = server.ledger(user)
    assert (row.status, row.cost_units) == ("stale", 700)
