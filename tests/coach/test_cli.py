"""``rlcoach coach`` end to end through the Typer app, the real SDK and a loopback fake API."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from tests.tui.factories import ME, filled_library
from typer.testing import CliRunner

from rlcoach.cli import app

from .fake_messages import Failure, FakeMessages, Turn

runner = CliRunner()


@pytest.fixture
def library(rlcoach_home: Path) -> None:
    cfg = rlcoach_home / "config" / "rlcoach.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text(f'[identity]\nplatform_ids = ["{ME[0]}:{ME[1]}"]\n')
    filled_library(30).close()


@pytest.fixture
def api(monkeypatch, library):
    with FakeMessages() as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        monkeypatch.setenv("COLUMNS", "120")
        yield fake


def invoke(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def test_ask_json_logs_and_continue(api):
    api.script = [Turn([("tool_use", "find_games", {"last": 3})]),
                  Turn([("text", "You won game 30 @ 4:37 by 5 goals.")]),
                  Turn([("text", "Still true.")])]
    result = invoke("coach", "ask", "how did my last game go?", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["mode"] == "own-key" and out["tool_calls"][0]["name"] == "find_games"
    assert out["usage"]["input_tokens"] == 200 and out["citations"][0]["game"] == 30
    assert "4:37" not in out["unverified"] and "30" not in out["unverified"]
    logs = json.loads(invoke("coach", "logs", "--json").stdout)
    assert len(logs) == 1 and logs[0]["messages"] == 2
    full = json.loads(invoke("coach", "logs", "--cid", str(logs[0]["id"]), "--json").stdout)
    assert full["messages"][1]["tool_calls"][0]["name"] == "find_games"
    assert full["messages"][1]["usage"]["output_tokens"] == 40
    assert invoke("coach", "logs", "-q", "last game").stdout.count("\n") == 1
    # -c continues: the earlier turns are sent again, and the thread grows.
    result = invoke("coach", "chat", "-c", input="and now?\n/usage\n")
    assert result.exit_code == 0, result.output
    sent = api.requests[-1].body["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert "this conversation: tokens" in result.output
    assert json.loads(invoke("coach", "logs", "--json").stdout)[0]["messages"] == 4


def test_no_log_keeps_the_conversation_out(api):
    api.script = [Turn([("text", "ok")])]
    assert invoke("coach", "ask", "secret?", "--no-log").exit_code == 0
    assert json.loads(invoke("coach", "logs", "--json").stdout) == []


def test_allowance_used_up_is_one_line(api):
    api.script = [Failure(402, "billing_error", "monthly coach allowance used")]
    result = invoke("coach", "ask", "hi")
    assert result.exit_code == 1
    assert "rlcoach upgrade" in result.output and "Traceback" not in result.output


def test_offline_findings_without_key_or_login(library, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("RLCOACH_TOKEN_STORE", "file")
    result = invoke("coach", "ask", "what should I work on?", "--game", "latest")
    assert result.exit_code == 0, result.output
    assert "Offline coach" in result.output and "wins vs" in result.output
    assert "game 30 @" in result.output or "Game 30" in result.output
    assert "ballchasing" in result.output


def test_empty_library_and_bad_game_are_one_line(rlcoach_home, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    result = invoke("coach", "ask", "hi", "--offline")
    assert result.exit_code == 2 and "rlcoach ingest" in result.output


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.data.get((service, username))

    def set_password(self, service, username, password):
        self.data[(service, username)] = password

    def delete_password(self, service, username):
        from keyring.errors import PasswordDeleteError

        if self.data.pop((service, username), None) is None:
            raise PasswordDeleteError("none")


def test_key_set_and_clear_use_the_keyring(api, monkeypatch):
    ring = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    try:
        monkeypatch.delenv("ANTHROPIC_API_KEY")
        assert invoke("coach", "key", "set", "--key", "nope").exit_code == 2
        assert invoke("coach", "key", "set", "--key", "sk-ant-test").exit_code == 0
        api.script = [Turn([("text", "from the keyring key")])]
        result = invoke("coach", "ask", "hi", "--json")
        assert json.loads(result.stdout)["text"] == "from the keyring key"
        assert "removed" in invoke("coach", "key", "clear").output
        assert ring.data == {}
    finally:
        keyring.set_keyring(previous)


def test_ctrl_c_at_the_prompt_leaves_with_130(api, monkeypatch):
    def interrupted(_prompt: str = "") -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("builtins.input", interrupted)
    result = invoke("coach", "chat")
    assert result.exit_code == 130, result.output
