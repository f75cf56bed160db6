"""Where the CLI keeps its access and refresh tokens, one set per server URL.

Design:
- ``Tokens`` is the RFC 6749 token response we keep (plus the absolute expiry).
- Two stores with one interface (``load``/``save``/``delete`` by server URL):
  ``KeyringStore`` (the system keyring: macOS Keychain, Windows Credential Locker, Secret
  Service...) holding one JSON entry per server under the service ``rlcoach``; and
  ``FileStore``, a JSON file ``tokens.json`` in ``rlcoach.paths.data_dir()``, created with
  mode 0600 (written to a temp file opened 0600 and renamed, so it is never readable by
  others, not even for a moment).
- ``open_store`` picks one: ``RLCOACH_TOKEN_STORE=keyring|file`` forces it; otherwise the
  keyring when its backend is a real one (keyring's ``fail`` and ``null`` backends, or a
  priority <= 0, mean there is none), else the file. The file store calls ``on_warning``
  once, when it first creates the file; the library itself never prints.
- A keyring that fails at write time (locked, D-Bus gone) falls back to the file store.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from rlcoach import paths
from rlcoach.errors import AccountError

STORE_ENV = "RLCOACH_TOKEN_STORE"
KEYRING_SERVICE = "rlcoach"
FILE_NAME = "tokens.json"
FILE_WARNING = (
    "warning: no system keyring available; tokens are stored in {path} "
    "(readable only by you). Set up a keyring to keep them there instead."
)

Warn = Callable[[str], None]


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str | None
    expires_at: float | None  # epoch seconds
    token_type: str = "Bearer"
    scope: str = ""

    @classmethod
    def from_response(cls, body: dict[str, Any], now: float | None = None) -> Tokens:
        """Build from a token endpoint answer (RFC 6749 section 5.1)."""
        access = body.get("access_token")
        if not isinstance(access, str) or not access:
            raise AccountError("the server's token answer has no access_token")
        expires_in = body.get("expires_in")
        now = time.time() if now is None else now
        return cls(
            access_token=access,
            refresh_token=body.get("refresh_token") or None,
            expires_at=now + float(expires_in) if isinstance(expires_in, int | float) else None,
            token_type=str(body.get("token_type", "Bearer")),
            scope=str(body.get("scope", "")),
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> Tokens | None:
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            return None
        refresh = data.get("refresh_token")
        expires = data.get("expires_at")
        return cls(
            access_token=data["access_token"],
            refresh_token=refresh if isinstance(refresh, str) else None,
            expires_at=float(expires) if isinstance(expires, int | float) else None,
            token_type=str(data.get("token_type", "Bearer")),
            scope=str(data.get("scope", "")),
        )


class TokenStore(Protocol):
    name: str

    def load(self, server: str) -> Tokens | None: ...
    def save(self, server: str, tokens: Tokens) -> None: ...
    def delete(self, server: str) -> bool: ...


class FileStore:
    """Tokens in a 0600 JSON file: ``{"servers": {url: tokens}}``."""

    name = "file"

    def __init__(self, path: Path | None = None, on_warning: Warn | None = None) -> None:
        self.path = path or paths.data_dir() / FILE_NAME
        self.on_warning = on_warning

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise AccountError(f"cannot read {self.path}: {exc}",
                               hint="Delete the file and run `rlcoach login` again.") from None
        servers = data.get("servers") if isinstance(data, dict) else None
        return servers if isinstance(servers, dict) else {}

    def _write(self, servers: dict[str, Any]) -> None:
        first = not self.path.exists()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # mkstemp opens the file 0600; the rename keeps that mode.
            fd, tmp = tempfile.mkstemp(prefix=".tokens-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump({"servers": servers}, fh, indent=2)
                os.chmod(tmp, 0o600)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise AccountError(f"cannot write {self.path}: {exc}") from None
        if first and self.on_warning:
            self.on_warning(FILE_WARNING.format(path=self.path))

    def load(self, server: str) -> Tokens | None:
        return Tokens.from_json(self._read().get(server))

    def save(self, server: str, tokens: Tokens) -> None:
        servers = self._read()
        servers[server] = tokens.to_json()
        self._write(servers)

    def delete(self, server: str) -> bool:
        servers = self._read()
        if server not in servers:
            return False
        del servers[server]
        self._write(servers)
        return True


class KeyringStore:
    """Tokens in the system keyring, one JSON secret per server URL."""

    name = "keyring"

    def __init__(self, fallback: FileStore) -> None:
        self.fallback = fallback

    def load(self, server: str) -> Tokens | None:
        import keyring
        from keyring.errors import KeyringError

        try:
            raw = keyring.get_password(KEYRING_SERVICE, server)
        except KeyringError:
            raw = None
        if raw is None:  # maybe saved to the file when the keyring failed
            return self.fallback.load(server)
        try:
            return Tokens.from_json(json.loads(raw))
        except ValueError:
            return None

    def save(self, server: str, tokens: Tokens) -> None:
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(KEYRING_SERVICE, server, json.dumps(tokens.to_json()))
        except KeyringError:
            self.fallback.save(server, tokens)
            return
        self.fallback.delete(server)  # never leave an older copy in the file

    def delete(self, server: str) -> bool:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        found = False
        try:
            keyring.delete_password(KEYRING_SERVICE, server)
            found = True
        except PasswordDeleteError:
            pass
        except KeyringError:
            pass
        return self.fallback.delete(server) or found


def keyring_usable() -> bool:
    """True when keyring has a real backend (not ``fail``/``null``, priority > 0)."""
    try:
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration is "no keyring"
        return False
    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    chained = getattr(backend, "backends", None)
    if chained is not None and not chained:
        return False
    try:
        return float(getattr(backend, "priority", 1)) > 0
    except Exception:
        return False


def open_store(on_warning: Warn | None = None) -> TokenStore:
    """The token store to use (see the module docstring for the rules)."""
    choice = os.environ.get(STORE_ENV, "").strip().lower()
    file_store = FileStore(on_warning=on_warning)
    if choice == "file":
        return file_store
    if choice == "keyring":
        return KeyringStore(FileStore(on_warning=on_warning))
    if choice not in ("", "auto"):
        raise AccountError(f"{STORE_ENV}={choice!r} is not one of keyring, file, auto")
    return KeyringStore(file_store) if keyring_usable() else file_store
