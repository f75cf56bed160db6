"""Signed-in calls against the real server: refresh on 401 with rotation, logout revocation."""

from __future__ import annotations

import dataclasses
import time

import pytest

from rlcoach.account.client import OAuthError, ServerClient, Unauthorized
from rlcoach.account.session import Session
from rlcoach.account.tokens import FileStore
from rlcoach.errors import AccountError

from .conftest import Browser, DevServer, library_login, requires_server

pytestmark = requires_server


def test_401_refreshes_rotates_storage_and_retries(server: DevServer, browser: Browser) -> None:
    store = FileStore()
    first = library_login(server, browser)
    # A rejected access token (as after its hour is up) with a good refresh token.
    store.save(server.url, dataclasses.replace(first, access_token="expired-or-bogus"))
    with ServerClient(server.url) as client:
        session = Session(client, store)
        assert session.me()["name"] == "Dev User"
        rotated = store.load(server.url)
        assert rotated is not None
        assert rotated.access_token not in ("expired-or-bogus", first.access_token)
        assert rotated.refresh_token != first.refresh_token  # stored before the retry
        assert session.me()["tier"] == "free"  # the stored token works without refreshing
        # The spent refresh token is refused; the server treats its reuse as theft and
        # revokes the whole login, so the next call asks to log in again.
        with pytest.raises(OAuthError) as info:
            client.refresh(first.refresh_token or "")
        assert info.value.error == "invalid_grant"
        with pytest.raises(AccountError, match="expired or was revoked") as err:
            session.me()
        assert "rlcoach login" in (err.value.hint or "")
        assert store.load(server.url) is None


def test_known_expired_token_is_refreshed_before_the_call(
    server: DevServer, browser: Browser
) -> None:
    store = FileStore()
    first = library_login(server, browser)
    store.save(server.url, dataclasses.replace(first, expires_at=0.0))
    with ServerClient(server.url) as client:
        assert Session(client, store).me()["name"] == "Dev User"
    rotated = store.load(server.url)
    assert rotated is not None and rotated.refresh_token != first.refresh_token
    assert (rotated.expires_at or 0) > time.time() + 3000


def test_logout_revokes_at_the_server(server: DevServer, browser: Browser) -> None:
    store = FileStore()
    tokens = library_login(server, browser)
    store.save(server.url, tokens)
    with ServerClient(server.url) as client:
        result = Session(client, store).logout()
        assert result.had_tokens and result.revoked and result.problem is None
        assert store.load(server.url) is None
        with pytest.raises(Unauthorized):
            client.me(tokens.access_token)
        with pytest.raises(OAuthError):
            client.refresh(tokens.refresh_token or "")


def test_not_logged_in(server: DevServer) -> None:
    with ServerClient(server.url) as client, pytest.raises(AccountError, match="not logged in"):
        Session(client, FileStore()).me()
