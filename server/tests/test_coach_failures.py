"""The coach proxy when things go wrong upstream or in between: error events, error statuses,
cut connections, a client hanging up, Anthropic unreachable. Same harness as test_coach.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anthropic
import httpx
import pytest

from fake_anthropic import FAKE_TEXT, MODEL, FakeAnthropic
from rlcoach_server.models import User

if TYPE_CHECKING:
    from coach_harness import CoachServer

# The harness fixtures (coach_server, fake_anthropic, token_for) come as a plugin.
pytest_plugins = ["coach_harness"]

Start = Callable[..., "CoachServer"]
USER_MSG = [{"role": "user", "content": "How do I save more boost on kickoff?"}]


# --------------------------------------------------------------------------- failures


def test_error_event_mid_stream_charges_input_and_streamed_output(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    user = user_factory()
    body = {
        "messages": [{"role": "user", "content": "hi [fake:error_mid_stream]"}],
        "max_tokens": 64,
    }
    client = server.sdk(token_for(user))
    with (
        pytest.raises(anthropic.APIStatusError) as info,
        client.messages.stream(model=MODEL, **body) as stream,
    ):
        list(stream.text_stream)
    assert "overloaded_error" in str(info.value)
    [row] = server.ledger(user)
    assert row.status == "stream_error"
    assert row.reserved_units == server.reservation(body)
    # Charged as Anthropic bills it: the input and the two deltas streamed, not the worst case.
    assert row.cost_units == server.interrupted_cost(body["messages"], FAKE_TEXT[:2])
    assert row.cost_units < row.reserved_units / 4
    assert server.allowance(user).reserved_units == 0  # type: ignore[union-attr]


def test_error_event_before_start_releases(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    user = user_factory()
    with pytest.raises(anthropic.APIStatusError):
        list(
            server.sdk(token_for(user)).messages.create(
                model=MODEL,
                max_tokens=64,
                stream=True,
                messages=[{"role": "user", "content": "hi [fake:error_before_start]"}],
            )
        )
    [row] = server.ledger(user)
    assert (row.status, row.cost_units) == ("upstream_error", 0)
    allowance = server.allowance(user)
    assert allowance is not None and (allowance.used_units, allowance.reserved_units) == (0, 0)


@pytest.mark.parametrize(
    ("marker", "exc", "status"),
    [
        ("overloaded", anthropic.OverloadedError, 529),
        ("server_error", anthropic.InternalServerError, 500),
    ],
)
@pytest.mark.parametrize("stream", [True, False])
def test_upstream_error_status_releases(
    coach_server: Start,
    user_factory: Callable[..., User],
    token_for: Callable[[User], str],
    marker: str,
    exc: type[Exception],
    status: int,
    stream: bool,
) -> None:
    server = coach_server()
    user = user_factory()
    with pytest.raises(exc) as info:
        server.sdk(token_for(user)).messages.create(
            model=MODEL,
            max_tokens=64,
            stream=stream,
            messages=[{"role": "user", "content": f"hi [fake:{marker}]"}],
        )
    assert info.value.status_code == status  # type: ignore[attr-defined]
    [row] = server.ledger(user)
    assert (row.status, row.cost_units) == ("upstream_error", 0)
    assert row.upstream_request_id and row.error and str(status) in row.error
    allowance = server.allowance(user)
    assert allowance is not None and (allowance.used_units, allowance.reserved_units) == (0, 0)


def test_sdk_retries_on_overload_are_each_released(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    user = user_factory()
    client = server.sdk(token_for(user), max_retries=1)
    with pytest.raises(anthropic.OverloadedError):
        client.messages.create(
            model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "[fake:overloaded]"}]
        )
    rows = server.ledger(user)
    assert [r.status for r in rows] == ["upstream_error", "upstream_error"]
    assert server.allowance(user).used_units == 0  # type: ignore[union-attr]


def test_connection_dropped_mid_stream_charges_what_was_streamed(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    user = user_factory()
    body = {"messages": [{"role": "user", "content": "hi [fake:drop]"}], "max_tokens": 64}
    got: list[str] = []
    client = server.sdk(token_for(user))
    with (
        pytest.raises(anthropic.APIStatusError) as info,
        client.messages.stream(model=MODEL, **body) as stream,
    ):
        for text in stream.text_stream:
            got.append(text)
    assert got == FAKE_TEXT[:2]  # what arrived before the cut was passed through
    assert "broke mid-stream" in str(info.value)
    [row] = server.ledger(user)
    assert row.status == "dropped"
    assert row.cost_units == server.interrupted_cost(body["messages"], FAKE_TEXT[:2])
    assert server.allowance(user).used_units == row.cost_units  # type: ignore[union-attr]


def test_upstream_closing_cleanly_mid_stream_is_an_error_event(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    user = user_factory()
    body = {"messages": [{"role": "user", "content": "hi [fake:close]"}], "max_tokens": 64}
    got: list[str] = []
    client = server.sdk(token_for(user))
    with (
        pytest.raises(anthropic.APIStatusError) as info,
        client.messages.stream(model=MODEL, **body) as stream,
    ):
        for text in stream.text_stream:
            got.append(text)
    assert got == FAKE_TEXT[:2]
    assert "ended the stream early" in str(info.value)
    [row] = server.ledger(user)
    assert row.status == "dropped"
    assert row.cost_units == server.interrupted_cost(body["messages"], FAKE_TEXT[:2])


def test_drop_after_final_usage_charges_real_usage(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    user = user_factory()
    messages = [{"role": "user", "content": "hi [fake:drop_after_usage]"}]
    with pytest.raises(anthropic.APIStatusError):
        list(
            server.sdk(token_for(user)).messages.create(
                model=MODEL, max_tokens=64, messages=messages, stream=True
            )
        )
    [row] = server.ledger(user)
    assert row.status == "dropped"
    assert row.cost_units == server.expected_cost(messages, len(FAKE_TEXT))


def test_client_hangs_up_mid_stream(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    user = user_factory()
    body = {
        "model": MODEL,
        "max_tokens": 64,
        "stream": True,
        "messages": [{"role": "user", "content": "slowly [fake:pace=0.2]"}],
    }
    with (
        httpx.Client(timeout=10) as raw,
        raw.stream(
            "POST",
            server.url + "/coach/v1/messages",
            json=body,
            headers={"authorization": f"Bearer {token_for(user)}"},
        ) as resp,
    ):
        assert resp.status_code == 200
        for line in resp.iter_lines():
            if "message_start" in line:
                break  # leave while upstream is still producing
    rows: list[Any] = []
    for _ in range(100):
        rows = server.ledger(user)
        if rows and rows[0].status != "pending":
            break
        import time

        time.sleep(0.05)
    row = rows[0]
    assert row.status == "client_closed"
    # The input message_start reported plus at most the few deltas streamed before the hang-up,
    # where the worst case used to be charged.
    assert row.input_tokens == FakeAnthropic.input_tokens(body)
    assert row.output_tokens <= sum(len(t.encode()) for t in FAKE_TEXT)
    assert 0 < row.cost_units == server.price_of(row) < row.reserved_units / 4
    assert server.allowance(user).reserved_units == 0  # type: ignore[union-attr]


def test_upstream_unreachable_is_502_and_released(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server(anthropic_base_url="http://127.0.0.1:9")  # discard port: refused
    user = user_factory()
    with pytest.raises(anthropic.APIStatusError) as info:
        server.sdk(token_for(user)).messages.create(model=MODEL, max_tokens=8, messages=USER_MSG)
    assert info.value.status_code == 502
    [row] = server.ledger(user)
    assert (row.status, row.cost_units) == ("upstream_error", 0)
