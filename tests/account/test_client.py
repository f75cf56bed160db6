"""Server URL resolution and one-line network errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlcoach.account.client import SERVER_ENV, ServerClient, resolve_server_url
from rlcoach.errors import AccountError, ConfigError

from .conftest import free_port


def test_server_url_precedence(rlcoach_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SERVER_ENV, raising=False)
    assert resolve_server_url() == "https://rlcoach.gg"  # the built-in default
    cfg = rlcoach_home / "config" / "rlcoach.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('[server]\nurl = "https://toml.example/"\n')
    assert resolve_server_url() == "https://toml.example"
    monkeypatch.setenv(SERVER_ENV, "http://env.example:8000/")
    assert resolve_server_url() == "http://env.example:8000"
    assert resolve_server_url("http://opt.example") == "http://opt.example"


def test_bad_url_is_refused() -> None:
    with pytest.raises(ConfigError, match="invalid server URL"):
        resolve_server_url("rlcoach.gg")


def test_unreachable_server_is_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with ServerClient(url) as client, pytest.raises(AccountError) as info:
        client.device_code()
    assert info.value.message.startswith(f"cannot reach {url}")
    assert "\n" not in info.value.message and info.value.hint
