"""Test harness of the coach tests: our app on a real loopback uvicorn, the fake Anthropic
behind it, and clients (the real ``anthropic`` SDK, raw httpx) in front of it.

Why a real server: the SDK brings its own HTTP stack, which in-process transports cannot
intercept, and the streaming path (disconnects, flushing) only means something over TCP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import anthropic
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fake_anthropic import MODEL, UPSTREAM_KEY, FakeAnthropic, ServerThread
from rlcoach_server.models import CoachAllowance, CoachLedger, User
from rlcoach_server.services.coach_pricing import (
    ModelPrice,
    TokenUsage,
    cost_units,
    estimate_input_tokens,
    price_table,
    worst_case_units,
)

__all__ = ["MODEL", "UPSTREAM_KEY", "CoachServer"]


@dataclass
class CoachServer:
    app: FastAPI
    url: str
    fake: FakeAnthropic
    engine: Engine

    def sdk(self, token: str, **kwargs: Any) -> anthropic.Anthropic:
        kwargs.setdefault("max_retries", 0)
        return anthropic.Anthropic(base_url=self.url + "/coach", api_key=token, **kwargs)

    def ledger(self, user: User) -> list[CoachLedger]:
        with Session(self.engine) as s:
            return list(
                s.execute(
                    select(CoachLedger)
                    .where(CoachLedger.user_id == user.id)
                    .order_by(CoachLedger.id)
                ).scalars()
            )

    @property
    def price(self) -> ModelPrice:
        return price_table(self.app.state.settings.coach_prices)[MODEL]

    def expected_cost(self, messages: list[dict[str, Any]], output: int) -> int:
        """What a call of ``messages`` answered with ``output`` tokens costs (fake's counts)."""
        usage = TokenUsage(FakeAnthropic.input_tokens({"messages": messages}), output)
        return cost_units(self.price, usage)

    def interrupted_cost(self, messages: list[dict[str, Any]], streamed: list[str]) -> int:
        """What a stream cut after ``streamed`` text deltas costs: the input message_start
        reported plus the streamed output, bounded by its UTF-8 length."""
        output = max(1, sum(len(t.encode()) for t in streamed))
        usage = TokenUsage(FakeAnthropic.input_tokens({"messages": messages}), output)
        return cost_units(self.price, usage)

    def price_of(self, row: CoachLedger) -> int:
        """A ledger row's tokens at the model's prices."""
        usage = TokenUsage(
            row.input_tokens, row.output_tokens, row.cache_write_tokens, row.cache_read_tokens
        )
        return cost_units(self.price, usage)

    def reservation(self, body: dict[str, Any]) -> int:
        """The worst case the server reserves for ``body`` (local estimate)."""
        return worst_case_units(self.price, estimate_input_tokens(body), body["max_tokens"])

    def allowance(self, user: User) -> CoachAllowance | None:
        with Session(self.engine) as s:
            return s.execute(
                select(CoachAllowance).where(CoachAllowance.user_id == user.id)
            ).scalar_one_or_none()


@pytest.fixture(scope="session")
def fake_anthropic() -> Iterator[tuple[FakeAnthropic, str]]:
    fake = FakeAnthropic(api_key=UPSTREAM_KEY)
    with ServerThread(fake.app()) as server:
        yield fake, server.url


@pytest.fixture
def coach_server(
    make_app: Callable[..., FastAPI], engine: Engine, fake_anthropic: tuple[FakeAnthropic, str]
) -> Iterator[Callable[..., CoachServer]]:
    """``coach_server(**settings_overrides)`` starts our app on loopback, wired to the fake."""
    fake, fake_url = fake_anthropic
    started: list[ServerThread] = []

    def start(**overrides: Any) -> CoachServer:
        fake.requests.clear()
        values: dict[str, Any] = {
            "anthropic_api_key": UPSTREAM_KEY,
            "anthropic_base_url": fake_url,
            "coach_rate_limit_requests": 1000,
        }
        values.update(overrides)
        app = make_app(**values)
        server = ServerThread(app)
        server.start()
        started.append(server)
        return CoachServer(app, server.url, fake, engine)

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def token_for(auth_headers: Callable[[User], dict[str, str]]) -> Callable[[User], str]:
    def token(user: User) -> str:
        return auth_headers(user)["Authorization"].removeprefix("Bearer ")

    return token
