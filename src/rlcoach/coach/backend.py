"""Where the coach's model calls go: the rlcoach server (hosted), the user's own key, or nowhere.

Design:
- ``choose_backend`` picks the mode: ``--offline`` -> None (offline); an own key
  (``ANTHROPIC_API_KEY``, else the keyring entry ``rlcoach``/``anthropic-api-key``) wins over
  a hosted login unless ``--hosted``; else a stored login for the server -> hosted; else None.
- Both modes use the official ``anthropic`` SDK. Own key: ``anthropic.Anthropic(api_key=...)``,
  which honours ``ANTHROPIC_BASE_URL`` itself. Hosted: ``base_url=<server>/coach`` and the
  rlcoach access token as the API key (the server's proxy speaks the Messages API).
- ``Backend.call(fn)`` runs ``fn(client)``; a hosted 401 refreshes the access token through
  the account ``Session`` (rotating the refresh token) and retries once. Every SDK error
  becomes one ``CoachError`` line with what to do: 402 -> the allowance is used up and
  ``rlcoach upgrade`` raises it; 429 -> wait the server's Retry-After; 5xx, network, bad key.
- Costs: US$ at Anthropic's list prices per million tokens (the server meters with the same
  table; see docs/server.md), so own-key users see what an answer cost them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rlcoach.coach.store import Usage
from rlcoach.errors import AccountError, RlcoachError

T = TypeVar("T")
KEYRING_SERVICE = "rlcoach"
KEYRING_USER = "anthropic-api-key"
DEFAULT_MODEL = "claude-sonnet-4-6"
CHEAP_MODEL = "claude-haiku-4-5"
# US$ per million tokens: input, output, cache write (5 min), cache read.
PRICES: dict[str, tuple[float, float, float, float]] = {
    "claude-sonnet-4-6": (3.0, 15.0, 3.75, 0.30),
    "claude-haiku-4-5": (1.0, 5.0, 1.25, 0.10),
}


class CoachError(AccountError):
    """The model could not be reached or refused the call (exit code 1, like the server's)."""


def price_of(model: str, usage: Usage) -> float | None:
    price = PRICES.get(model)
    if price is None:
        return None
    return (usage.input_tokens * price[0] + usage.output_tokens * price[1]
            + usage.cache_write_tokens * price[2] + usage.cache_read_tokens * price[3]) / 1e6


def own_key() -> str | None:
    key = os.environ.get("ANTHROPIC_API_KEY", "").strip()
    if key:
        return key
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, KEYRING_USER) or None
    except Exception:  # no usable keyring backend: there is no stored key
        return None


def set_own_key(key: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, KEYRING_USER, key.strip())
    except (KeyringError, RuntimeError) as exc:
        raise CoachError(f"cannot store the key in the system keyring: {exc}",
                         hint="Set ANTHROPIC_API_KEY in your environment instead.") from None


def clear_own_key() -> bool:
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, KEYRING_USER)
        return True
    except PasswordDeleteError:
        return False
    except (KeyringError, RuntimeError) as exc:
        raise CoachError(f"cannot reach the system keyring: {exc}") from None


@dataclass
class Backend:
    mode: str  # "hosted" | "own-key"
    model: str
    make_client: Callable[[], Any]
    refresh: Callable[[], bool] | None = None  # hosted: new access token; False if none
    allowance: Callable[[], dict[str, Any] | None] | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)
    _client: Any = None

    def client(self) -> Any:
        if self._client is None:
            self._client = self.make_client()
        return self._client

    def call(self, fn: Callable[[Any], T]) -> T:
        import anthropic

        try:
            try:
                return fn(self.client())
            except anthropic.AuthenticationError:
                if self.refresh is None or not self.refresh():
                    raise
                self._client = None  # rebuilt with the new access token
                return fn(self.client())
        except anthropic.APIError as exc:
            raise self.explain(exc) from None

    def explain(self, exc: Exception) -> CoachError:
        import anthropic

        hosted = self.mode == "hosted"
        if isinstance(exc, anthropic.APIConnectionError):
            where = "the rlcoach server" if hosted else "the Anthropic API"
            return CoachError(f"cannot reach {where}: {exc}",
                              hint="Check your network, or use `--offline`.")
        if not isinstance(exc, anthropic.APIStatusError):
            return CoachError(f"the model's answer could not be read: {exc}")
        message = _message(exc)
        status = exc.status_code
        if status == 402:
            return CoachError(f"your coach allowance for this month is used up ({message})",
                              hint="`rlcoach upgrade` raises it; or use your own key "
                                   "(`rlcoach coach key set`) or `--offline`.")
        if status == 429:
            wait = exc.response.headers.get("retry-after")
            return CoachError(f"too many coach requests ({message})",
                              hint=f"Try again in {wait} s." if wait else "Try again shortly.")
        if status == 401:
            return CoachError(f"the {'rlcoach server' if hosted else 'API'} refused the "
                              f"credentials ({message})",
                              hint="Run `rlcoach login` again." if hosted else
                              "Check ANTHROPIC_API_KEY or `rlcoach coach key set`.")
        if status == 400:
            return CoachError(f"the request was refused: {message}",
                              hint="Try `--model " + CHEAP_MODEL + "` or a shorter question.")
        return CoachError(f"the coach service failed (HTTP {status}: {message})",
                          hint="Try again in a minute, or use `--offline`.")

    def close(self) -> None:
        for close in self.closers:
            close()


def _message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])[:200]
    return str(getattr(exc, "message", exc))[:200]


def own_key_backend(key: str, model: str | None) -> Backend:
    def make() -> Any:
        import anthropic

        # base_url left unset: the SDK reads ANTHROPIC_BASE_URL itself.
        return anthropic.Anthropic(api_key=key, max_retries=2)

    return Backend("own-key", model or DEFAULT_MODEL, make)


def hosted_backend(server: str | None, model: str | None) -> Backend | None:
    """A backend over the server's coach proxy, or None when not logged in there."""
    from rlcoach.account.client import ServerClient, resolve_server_url
    from rlcoach.account.session import EXPIRY_SKEW, Session
    from rlcoach.account.tokens import open_store

    url = resolve_server_url(server)
    store = open_store()
    if store.load(url) is None:
        return None
    session = Session(ServerClient(url), store)

    def make() -> Any:
        import anthropic

        tokens = session.tokens()
        if tokens.expires_at is not None and time.time() > tokens.expires_at - EXPIRY_SKEW:
            tokens = session.refresh(tokens)  # known expired: skip a call bound to get 401
        return anthropic.Anthropic(base_url=f"{url}/coach", max_retries=2,
                                   api_key=tokens.access_token)

    def refresh() -> bool:
        session.refresh(session.tokens())
        return True

    def allowance() -> dict[str, Any] | None:
        try:
            return session.call(session.client.coach_usage)
        except RlcoachError:
            return None  # the banner shows no allowance rather than failing the chat

    return Backend("hosted", model or DEFAULT_MODEL, make, refresh, allowance,
                   [session.client.close])


def choose_backend(*, offline: bool = False, hosted: bool = False, model: str | None = None,
                   server: str | None = None) -> Backend | None:
    """The backend to use, or None for offline (see the module docstring for the order)."""
    if offline:
        return None
    if hosted:
        backend = hosted_backend(server, model)
        if backend is None:
            from rlcoach.account.client import resolve_server_url

            raise CoachError(f"not logged in to {resolve_server_url(server)}",
                             hint="Run `rlcoach login` first, or drop --hosted.")
        return backend
    key = own_key()
    if key:
        return own_key_backend(key, model)
    return hosted_backend(server, model)
