"""Property-based fuzzing of the coach endpoints (``/coach``): no generated request may cause
a 5xx. Unlike test_schemathesis.py (in-process, no Anthropic key), the coach runs for real
here: our app on loopback uvicorn wired to the fake Anthropic API, a real user's token, and
allowance and rate limit set high so generated bodies get past admission to the upstream.
The schema's ``model`` is narrowed to the configured one, or nearly every case would stop
at the model check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from fake_anthropic import MODEL
from rlcoach_server.models import User

if TYPE_CHECKING:
    from coach_harness import CoachServer

pytest_plugins = ["coach_harness"]


@pytest.fixture
def coach_api(coach_server: Callable[..., CoachServer]) -> Iterator[Any]:
    server = coach_server(coach_allowances={"free": 10**12, "pro": 10**12})
    raw = httpx.get(server.url + "/openapi.json").json()
    for op in ("/coach/v1/messages", "/coach/v1/messages/count_tokens"):
        body = raw["paths"][op]["post"]["requestBody"]["content"]["application/json"]["schema"]
        body["properties"]["model"] = {"enum": [MODEL]}
    schema = schemathesis.openapi.from_dict(raw)
    schema.config.update(base_url=server.url)
    yield schema
    # The generated calls got past validation and admission to the (fake) upstream.
    paths = {r.path for r in server.fake.requests}
    assert paths & {"/v1/messages", "/v1/messages/count_tokens"}, "nothing reached upstream"


@pytest.fixture
def coach_token(user_factory: Callable[..., User], token_for: Callable[[User], str]) -> str:
    return token_for(user_factory())


schema = schemathesis.pytest.from_fixture("coach_api").include(path_regex="^/coach")


@schema.parametrize()
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same examples every run: failures are reproducible
)
def test_coach_has_no_server_errors(case: Any, coach_token: str) -> None:
    case.call_and_validate(headers={"x-api-key": coach_token}, checks=[not_a_server_error])
