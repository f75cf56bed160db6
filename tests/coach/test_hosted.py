"""Hosted mode end to end: the real server (dev mode, subprocess) with its fake Anthropic
upstream, a device login, a chat through ``rlcoach coach ask``, the usage ledger moving by
exactly what the fake reported, and a 402 once the allowance is used up.

The fake upstream is the server's own test fake (server/tests/fake_anthropic.py), a real
HTTP server on loopback; ``[fake:in=N][fake:out=M]`` in the question make it report
exactly N input and M output tokens.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.account.conftest import (
    HAVE_SERVER,
    SERVER_TESTS,
    Browser,
    DevServer,
    _start_server,
    _stop,
    library_login,
)
from tests.tui.factories import ME, filled_library
from typer.testing import CliRunner

from rlcoach.cli import app

pytestmark = pytest.mark.skipif(not HAVE_SERVER, reason="rlcoach_server is not installed")
runner = CliRunner()
ALLOWANCE = 150_000  # micro-US$: room for one call's worst case (~86k), not for two


@pytest.fixture(scope="module")
def upstream() -> Iterator[Any]:
    sys.path.insert(0, str(SERVER_TESTS))
    try:
        from fake_anthropic import UPSTREAM_KEY, FakeAnthropic, ServerThread
    finally:
        sys.path.remove(str(SERVER_TESTS))
    fake = FakeAnthropic(api_key=UPSTREAM_KEY)
    with ServerThread(fake.app()) as thread:
        yield fake, thread.url, UPSTREAM_KEY


@pytest.fixture(scope="module")
def hosted(tmp_path_factory: pytest.TempPathFactory, upstream: Any) -> Iterator[DevServer]:
    _fake, url, key = upstream
    srv = _start_server(tmp_path_factory.mktemp("coach-server"), {
        "RLCOACH_SERVER_ANTHROPIC_API_KEY": key,
        "RLCOACH_SERVER_ANTHROPIC_BASE_URL": url,
        "RLCOACH_SERVER_COACH_ALLOWANCES": json.dumps({"free": ALLOWANCE, "pro": ALLOWANCE}),
    })
    yield srv
    _stop(srv)


@pytest.fixture
def logged_in(hosted: DevServer, rlcoach_home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("RLCOACH_TOKEN_STORE", "file")
    monkeypatch.setenv("RLCOACH_SERVER_URL", hosted.url)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    cfg = rlcoach_home / "config" / "rlcoach.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text(f'[identity]\nplatform_ids = ["{ME[0]}:{ME[1]}"]\n')
    filled_library(12).close()
    browser = Browser(hosted.url, name="Hosted Coach User")
    try:
        tokens = library_login(hosted, browser)
    finally:
        browser.close()
    from rlcoach.account.tokens import open_store

    open_store().save(hosted.url, tokens)
    return tokens.access_token


def usage(server: str, token: str) -> dict[str, Any]:
    r = httpx.get(f"{server}/coach/usage", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return r.json()


def test_hosted_chat_meters_exactly_and_402_when_used_up(hosted, logged_in, upstream):
    fake = upstream[0]
    before = usage(hosted.url, logged_in)
    assert before["used"] == 0 and before["allowance"] == ALLOWANCE
    question = "how am I doing? [fake:in=40000][fake:out=50]"
    result = runner.invoke(app, ["coach", "ask", question, "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["mode"] == "hosted" and out["text"]
    assert (out["usage"]["input_tokens"], out["usage"]["output_tokens"]) == (40000, 50)
    # What the client sent went through the proxy unchanged: caching breakpoints included.
    sent = fake.requests[-1].body
    assert sent["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert sent["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    after = usage(hosted.url, logged_in)
    row = after["recent"][0]
    assert (row["input_tokens"], row["output_tokens"]) == (40000, 50)
    # Sonnet 4.6 at $3 / $15 per million tokens = 3 and 15 micro-US$ per token.
    assert after["used"] - before["used"] == 40000 * 3 + 50 * 15 == row["cost"]
    # The banner shows mode, model and allowance left.
    chat = runner.invoke(app, ["coach", "ask", "again? [fake:in=10]", "--no-log"])
    assert chat.exit_code == 1, chat.output
    assert "mode: hosted" in chat.output and "allowance left: $0.03" in chat.output
    assert "allowance" in chat.output and "rlcoach upgrade" in chat.output
    assert "Traceback" not in chat.output


def test_expired_access_token_is_refreshed(hosted, logged_in, rlcoach_home):
    from rlcoach.account.tokens import Tokens, open_store

    store = open_store()
    tokens = store.load(hosted.url)
    assert tokens is not None
    store.save(hosted.url, Tokens("not-a-valid-token", tokens.refresh_token, None,
                                  tokens.token_type, tokens.scope))
    result = runner.invoke(app, ["coach", "ask", "hi [fake:in=5][fake:out=5]", "--json",
                                 "--hosted"])
    # The allowance is shared by the module's server; either the call went through or it
    # was refused for money, never for the token (the refresh happened).
    refreshed = store.load(hosted.url)
    assert refreshed is not None and refreshed.access_token != "not-a-valid-token"
    assert "refused the credentials" not in result.output
