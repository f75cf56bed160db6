"""Property-based API fuzzing with schemathesis: no generated request may cause a 5xx.

Runs every operation of the OpenAPI schema in-process (ASGI) with a valid bearer token
for a real user, so authenticated endpoints are exercised beyond the 401 check. Example
counts are kept small so the whole server suite stays fast on 2 cores.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture
def bearer(user_factory, auth_headers) -> dict[str, str]:
    return auth_headers(user_factory())


# The coach proxy answers 503 by design when no Anthropic key is configured, as here;
# test_schemathesis_coach.py fuzzes it running against the fake Anthropic API.
schema = schemathesis.pytest.from_fixture("api_schema").exclude(path_regex="^/coach")


@schema.parametrize()
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same examples every run: failures are reproducible
)
def test_no_server_errors(case, bearer) -> None:
    case.call_and_validate(headers=bearer, checks=[not_a_server_error])
