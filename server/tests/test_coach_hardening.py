"""The coach proxy against request shapes an attacker picks (issue 13): references that bill
far more than their bytes, bodies nested beyond the parser, a client-chosen
``metadata.user_id``. Same harness as test_coach.py: the real SDK -> our server -> the fake."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import anthropic
import httpx
import pytest

from fake_anthropic import IMAGE_TOKENS, MODEL
from rlcoach_server.models import User

if TYPE_CHECKING:
    from coach_harness import CoachServer

pytest_plugins = ["coach_harness"]

Start = Callable[..., "CoachServer"]
ALLOWANCE = 500_000


def _image_url_message(images: int) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "image", "source": {"type": "url", "url": f"https://e.example/{i}.png"}}
        for i in range(images)
    ]
    return [{"role": "user", "content": [*blocks, {"type": "text", "text": "what is this?"}]}]


def test_image_urls_cannot_overspend_the_allowance(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    """12 concurrent calls with 10 image URLs each: ~1,400 bytes of JSON, billed 16,000+
    tokens. Settled usage may exceed the allowance by at most one call's reservation."""
    server = coach_server(coach_allowances={"free": ALLOWANCE, "pro": 10**9})
    user = user_factory()
    client = server.sdk(token_for(user))
    messages = _image_url_message(10)

    def call(_: int) -> str:
        try:
            client.messages.create(model=MODEL, max_tokens=64, messages=messages)  # type: ignore[arg-type]
        except anthropic.PaymentRequiredError:
            return "402"
        return "ok"

    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(call, range(12)))
    rows = [r for r in server.ledger(user) if r.status != "rejected"]
    assert outcomes.count("ok") == len(rows) > 0
    assert all(r.input_tokens >= 10 * IMAGE_TOKENS for r in rows)  # the fake bills the images
    assert all(r.cost_units <= r.reserved_units for r in rows)  # every call fit its reservation
    allowance = server.allowance(user)
    assert allowance is not None and allowance.reserved_units == 0
    assert allowance.used_units <= ALLOWANCE + max(r.reserved_units for r in rows)


@pytest.mark.parametrize(
    ("block", "needle"),
    [
        (
            {"type": "document", "source": {"type": "url", "url": "https://e.example/a.pdf"}},
            "document",
        ),
        (
            {
                "type": "document",
                "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="},
            },
            "document",
        ),
        ({"type": "image", "source": {"type": "file", "file_id": "file_1"}}, "image"),
        (
            {
                "type": "tool_result",
                "tool_use_id": "t1",
                "content": [{"type": "document", "source": {"type": "file", "file_id": "f"}}],
            },
            "document",
        ),
        ({"type": "web_search_tool_result", "tool_use_id": "s", "content": []}, "web_search"),
    ],
)
def test_unmeterable_sources_are_refused(
    coach_server: Start,
    user_factory: Callable[..., User],
    token_for: Callable[[User], str],
    block: dict[str, Any],
    needle: str,
) -> None:
    server = coach_server()
    client = server.sdk(token_for(user_factory()))
    with pytest.raises(anthropic.BadRequestError) as info:
        client.messages.create(
            model=MODEL,
            max_tokens=8,
            messages=[{"role": "user", "content": [block, {"type": "text", "text": "hi"}]}],  # type: ignore[list-item]
        )
    assert needle in str(info.value)
    assert server.fake.requests == []


def test_deeply_nested_json_is_400(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    token = token_for(user_factory())
    deep = b'{"model": "' + MODEL.encode() + b'", "messages": ' + b"[" * 100_000 + b"]" * 100_000
    for path in ("/coach/v1/messages", "/coach/v1/messages/count_tokens"):
        resp = httpx.post(
            server.url + path,
            content=deep + b"}",
            headers={"x-api-key": token, "content-type": "application/json"},
        )
        assert resp.status_code == 400, resp.text
        assert resp.json()["error"]["type"] == "invalid_request_error"


def test_metadata_user_id_is_set_by_the_server(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server()
    user, victim = user_factory(), user_factory()
    client = server.sdk(token_for(user))
    client.messages.create(
        model=MODEL,
        max_tokens=8,
        messages=[{"role": "user", "content": "hi"}],
        metadata={"user_id": victim.id},
    )
    list(
        client.messages.create(
            model=MODEL, max_tokens=8, stream=True, messages=[{"role": "user", "content": "hi"}]
        )
    )
    sent = [r.body for r in server.fake.requests if r.path == "/v1/messages"]
    assert [b["metadata"] for b in sent] == [{"user_id": user.id}] * 2


DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


def test_redis_down_is_503_in_anthropic_shape_and_health_reports_it(
    coach_server: Start, user_factory: Callable[..., User], token_for: Callable[[User], str]
) -> None:
    server = coach_server(coach_redis_url=DEAD_REDIS)
    user = user_factory()
    client = server.sdk(token_for(user))
    with pytest.raises(anthropic.APIStatusError) as info:
        client.messages.create(
            model=MODEL, max_tokens=8, messages=[{"role": "user", "content": "hi"}]
        )
    assert info.value.status_code == 503
    assert info.value.response.headers["content-type"] == "application/json"
    assert info.value.body["error"]["type"] == "api_error"  # type: ignore[index]
    with pytest.raises(anthropic.APIStatusError) as info:
        client.messages.count_tokens(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    assert info.value.status_code == 503
    assert server.fake.requests == [] and server.ledger(user) == []
    health = httpx.get(server.url + "/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "degraded", "database": "ok", "redis": "unreachable"}
