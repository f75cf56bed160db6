"""Token storage: the 0600 file, its one-time warning, the keyring, and the store switch."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from rlcoach.account import tokens as tk
from rlcoach.errors import AccountError

A = "https://a.example"
B = "http://127.0.0.1:8000"


def _tokens(access: str = "acc") -> tk.Tokens:
    return tk.Tokens.from_response({"access_token": access, "refresh_token": "ref",
                                    "expires_in": 3600, "token_type": "Bearer"}, now=1000.0)


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring backend (keyring's own plug-in interface)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


@pytest.fixture
def backend() -> Iterator[None]:
    old = keyring.get_keyring()
    yield
    keyring.set_keyring(old)


def test_file_store_is_0600_even_with_a_permissive_umask(rlcoach_home: Path) -> None:
    warnings: list[str] = []
    store = tk.FileStore(on_warning=warnings.append)
    old = os.umask(0)
    try:
        store.save(A, _tokens())
    finally:
        os.umask(old)
    assert store.path == rlcoach_home / "data" / "tokens.json"
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert [p.name for p in store.path.parent.iterdir()] == ["tokens.json"]  # no temp left


def test_file_store_warns_once_and_keys_by_server(rlcoach_home: Path) -> None:
    warnings: list[str] = []
    store = tk.FileStore(on_warning=warnings.append)
    store.save(A, _tokens("a"))
    store.save(B, _tokens("b"))
    assert len(warnings) == 1 and "no system keyring" in warnings[0]
    assert str(store.path) in warnings[0]
    again = tk.FileStore(on_warning=warnings.append)
    assert again.load(A) == _tokens("a") and again.load(B) == _tokens("b")
    assert again.delete(A) and not again.delete(A)
    assert again.load(A) is None and again.load(B) is not None
    assert len(warnings) == 1


def test_file_store_corrupt_file_is_a_one_line_error(rlcoach_home: Path) -> None:
    store = tk.FileStore()
    store.path.parent.mkdir(parents=True)
    store.path.write_text("{not json")
    with pytest.raises(AccountError, match="cannot read") as info:
        store.load(A)
    assert "rlcoach login" in (info.value.hint or "")


def test_tokens_expiry_from_response() -> None:
    t = _tokens()
    assert t.expires_at == 4600.0 and t.refresh_token == "ref"
    assert tk.Tokens.from_json(t.to_json()) == t
    assert tk.Tokens.from_json({"nope": 1}) is None
    with pytest.raises(AccountError):
        tk.Tokens.from_response({"error": "x"})


def test_fail_and_null_keyrings_are_not_usable(backend: None) -> None:
    keyring.set_keyring(fail.Keyring())
    assert not tk.keyring_usable()
    keyring.set_keyring(null.Keyring())
    assert not tk.keyring_usable()
    keyring.set_keyring(MemoryKeyring())
    assert tk.keyring_usable()


def test_open_store_rules(backend: None, monkeypatch: pytest.MonkeyPatch) -> None:
    keyring.set_keyring(fail.Keyring())
    monkeypatch.delenv(tk.STORE_ENV, raising=False)
    assert tk.open_store().name == "file"
    keyring.set_keyring(MemoryKeyring())
    assert tk.open_store().name == "keyring"
    monkeypatch.setenv(tk.STORE_ENV, "file")
    assert tk.open_store().name == "file"
    monkeypatch.setenv(tk.STORE_ENV, "vault")
    with pytest.raises(AccountError, match="RLCOACH_TOKEN_STORE"):
        tk.open_store()


def test_keyring_store_round_trip_and_no_file(backend: None, rlcoach_home: Path) -> None:
    mem = MemoryKeyring()
    keyring.set_keyring(mem)
    warnings: list[str] = []
    store = tk.KeyringStore(tk.FileStore(on_warning=warnings.append))
    store.save(A, _tokens())
    assert (tk.KEYRING_SERVICE, A) in mem.items
    assert store.load(A) == _tokens()
    assert store.delete(A) and store.load(A) is None
    assert not (rlcoach_home / "data" / "tokens.json").exists() and not warnings


def test_keyring_failing_at_write_falls_back_to_the_file(backend: None) -> None:
    keyring.set_keyring(fail.Keyring())  # raises NoKeyringError on every call
    warnings: list[str] = []
    store = tk.KeyringStore(tk.FileStore(on_warning=warnings.append))
    store.save(A, _tokens())
    assert store.load(A) == _tokens() and len(warnings) == 1
    assert store.delete(A) and store.load(A) is None
