"""Signed-in calls: the stored tokens for a server, refreshed when the server refuses them.

Design:
- ``Session`` ties a ``ServerClient`` to a ``TokenStore`` entry (keyed by server URL).
- ``call`` runs one bearer request (refreshing first when the stored expiry has passed,
  which saves a request bound to fail); on 401 it rotates the refresh token once (the server
  spends the old one on every use), saves the new pair *before* retrying, and retries.
  A refused refresh (``invalid_grant``: expired, revoked, or reused elsewhere) deletes the
  local tokens and asks the user to log in again.
- ``logout`` deletes locally even when the server cannot be reached; it returns whether
  the server confirmed the revocation so the CLI can warn.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from rlcoach.account.client import OAuthError, ServerClient, Unauthorized
from rlcoach.account.tokens import Tokens, TokenStore
from rlcoach.errors import AccountError

T = TypeVar("T")
EXPIRY_SKEW = 30.0  # refresh this many seconds before the stored expiry


def not_logged_in(server: str) -> AccountError:
    return AccountError(f"not logged in to {server}",
                        hint=f"Run `rlcoach login --server {server}`.")


@dataclass
class LogoutResult:
    had_tokens: bool
    revoked: bool
    problem: str | None = None


class Session:
    def __init__(self, client: ServerClient, store: TokenStore) -> None:
        self.client = client
        self.store = store
        self.server = client.base_url

    def tokens(self) -> Tokens:
        tokens = self.store.load(self.server)
        if tokens is None:
            raise not_logged_in(self.server)
        return tokens

    def save(self, tokens: Tokens) -> None:
        self.store.save(self.server, tokens)

    def refresh(self, tokens: Tokens) -> Tokens:
        """Rotate the refresh token and store the new pair."""
        if not tokens.refresh_token:
            self.store.delete(self.server)
            raise AccountError("your session expired", hint="Run `rlcoach login` again.")
        try:
            body = self.client.refresh(tokens.refresh_token)
        except OAuthError as exc:
            if exc.error in ("invalid_grant", "invalid_client"):
                self.store.delete(self.server)
                raise AccountError("your session expired or was revoked",
                                   hint="Run `rlcoach login` again.") from None
            raise
        new = Tokens.from_response(body)
        self.save(new)
        return new

    def call(self, fn: Callable[[str], T]) -> T:
        """``fn(access_token)``, refreshing once on 401 (or first, if known expired)."""
        tokens = self.tokens()
        if tokens.expires_at is not None and time.time() > tokens.expires_at - EXPIRY_SKEW:
            tokens = self.refresh(tokens)  # saves a request that would only get a 401
        try:
            return fn(tokens.access_token)
        except Unauthorized:
            pass
        tokens = self.refresh(tokens)
        try:
            return fn(tokens.access_token)
        except Unauthorized:
            raise AccountError("the server refused a freshly issued token",
                               hint="Run `rlcoach login` again.") from None

    def me(self) -> dict[str, Any]:
        return self.call(self.client.me)

    def checkout(self) -> str:
        return self.call(self.client.checkout)

    def portal(self) -> str:
        return self.call(self.client.portal)

    def delete_account(self) -> None:
        """Delete the account at the server, then the tokens here (they are void)."""
        self.call(self.client.delete_me)
        self.store.delete(self.server)

    def logout(self) -> LogoutResult:
        """Revoke at the server (best effort) and delete the local tokens."""
        tokens = self.store.load(self.server)
        if tokens is None:
            return LogoutResult(had_tokens=False, revoked=False)
        revoked, problem = False, None
        try:
            if tokens.refresh_token:  # revokes the access tokens of the login too
                self.client.revoke(tokens.refresh_token, "refresh_token")
            self.client.revoke(tokens.access_token, "access_token")
            revoked = True
        except AccountError as exc:
            problem = exc.message
        finally:
            self.store.delete(self.server)
        return LogoutResult(had_tokens=True, revoked=revoked, problem=problem)
