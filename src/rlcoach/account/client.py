"""HTTP client for the rlcoach server (the only place that speaks its wire format).

Design:
- One small class over ``httpx.Client``; every method is one endpoint of the server
  (docs/server.md). OAuth endpoints take form bodies and answer RFC 6749 errors
  ``{"error": ..., "error_description": ...}``; those become ``OAuthError`` carrying the
  ``error`` code, so callers branch on ``exc.error`` (``authorization_pending``,
  ``slow_down``, ``invalid_grant``, ...).
- Network failures (refused, DNS, timeout, TLS) become a one-line ``NetworkError`` naming
  the server, never a traceback. Other non-2xx answers become ``AccountError`` with the
  server's ``detail``; 401 on a bearer call is ``Unauthorized`` so the session layer can
  refresh and retry.
- The server URL is resolved here too: ``--server``, else ``RLCOACH_SERVER_URL``, else
  rlcoach.toml ``[server] url``; it is normalised (no trailing slash) because stored
  tokens are keyed by it.
"""

from __future__ import annotations

import os
from typing import Any

import httpx

from rlcoach import __version__
from rlcoach.errors import AccountError, ConfigError

CLIENT_ID = "rlcoach-cli"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SERVER_ENV = "RLCOACH_SERVER_URL"
TIMEOUT = httpx.Timeout(15.0, connect=5.0)


class OAuthError(AccountError):
    """The server answered an OAuth endpoint with an RFC 6749 error code."""

    def __init__(self, error: str, description: str = "", hint: str | None = None) -> None:
        super().__init__(f"server refused: {error}" + (f" ({description})" if description else ""),
                         hint)
        self.error = error
        self.description = description


class NetworkError(AccountError):
    """The server could not be reached or did not answer in time."""


class Unauthorized(AccountError):
    """The access token was refused (missing, expired or revoked)."""


class ServerRefused(AccountError):
    """A non-2xx answer other than 401 on an account endpoint; ``status`` is the HTTP code."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def normalize_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"invalid server URL '{url}'",
                           hint="Use a full URL such as https://rlcoach.gg.")
    return url


def is_plaintext_remote(url: str) -> bool:
    """True for ``http://`` to anything but this machine: tokens would travel unencrypted."""
    parts = httpx.URL(url)
    return parts.scheme == "http" and parts.host not in ("127.0.0.1", "localhost", "::1")


def resolve_server_url(option: str | None = None) -> str:
    """``--server`` wins, then ``RLCOACH_SERVER_URL``, then rlcoach.toml ``[server] url``."""
    if option:
        return normalize_url(option)
    if env := os.environ.get(SERVER_ENV):
        return normalize_url(env)
    from rlcoach.config import load_config

    return normalize_url(load_config().server.url)


class ServerClient:
    """The server's endpoints. Use as a context manager (it holds a connection pool)."""

    def __init__(self, base_url: str, *, timeout: httpx.Timeout = TIMEOUT) -> None:
        self.base_url = normalize_url(base_url)
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            headers={"User-Agent": f"rlcoach/{__version__}", "Accept": "application/json"},
        )

    def __enter__(self) -> ServerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- transport ---------------------------------------------------------------------

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise NetworkError(f"{self.base_url} did not answer in time",
                               hint="Check your connection, or try again later.") from None
        except httpx.HTTPError as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise NetworkError(f"cannot reach {self.base_url}: {reason}",
                               hint="Check your connection and the server URL "
                               "(--server, RLCOACH_SERVER_URL or [server] url).") from None

    def _json(self, resp: httpx.Response) -> dict[str, Any]:
        try:
            body = resp.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise AccountError(f"{self.base_url} answered {resp.status_code} with no JSON "
                               f"({resp.request.url.path})",
                               hint="The server has a problem; try again later."
                               if resp.status_code >= 500 else "Is the server URL right?")
        return body

    def _oauth(self, path: str, data: dict[str, str]) -> dict[str, Any]:
        resp = self._send("POST", path, data={"client_id": CLIENT_ID, **data})
        body = self._json(resp)
        if resp.status_code >= 400 or "error" in body:
            raise OAuthError(str(body.get("error", resp.status_code)),
                             str(body.get("error_description", "")))
        return body

    def _bearer(self, method: str, path: str, access_token: str) -> dict[str, Any]:
        resp = self._send(method, path, headers={"Authorization": f"Bearer {access_token}"})
        if resp.status_code == 401:
            raise Unauthorized("the server refused the access token")
        body = self._json(resp)
        if resp.status_code >= 400:
            detail = body.get("detail") or body.get("error") or f"HTTP {resp.status_code}"
            raise ServerRefused(f"{self.base_url}: {detail}", resp.status_code)
        return body

    # --- OAuth (RFC 8628, 6749, 7009) ----------------------------------------------------

    def device_code(self) -> dict[str, Any]:
        """POST /oauth/device/code: device_code, user_code, verification_uri, interval, ..."""
        return self._oauth("/oauth/device/code", {})

    def poll_token(self, device_code: str) -> dict[str, Any]:
        """One device-grant poll; raises ``OAuthError`` (authorization_pending, ...)."""
        return self._oauth("/oauth/token", {"grant_type": DEVICE_GRANT,
                                            "device_code": device_code})

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        """Rotate the refresh token: a new access and refresh token (the old one is spent)."""
        return self._oauth("/oauth/token", {"grant_type": "refresh_token",
                                            "refresh_token": refresh_token})

    def revoke(self, token: str, hint: str = "refresh_token") -> None:
        """RFC 7009. Revoking a refresh token revokes its access tokens too."""
        self._oauth("/oauth/revoke", {"token": token, "token_type_hint": hint})

    # --- account and billing -------------------------------------------------------------

    def me(self, access_token: str) -> dict[str, Any]:
        return self._bearer("GET", "/me", access_token)

    def coach_usage(self, access_token: str) -> dict[str, Any]:
        """GET /coach/usage: this month's coach allowance, used, remaining (micro-US$)."""
        return self._bearer("GET", "/coach/usage", access_token)

    def checkout(self, access_token: str) -> str:
        """A Stripe Checkout URL for Pro; 409 (already Pro) is a ``ServerRefused``."""
        return self._url(self._bearer("POST", "/billing/checkout", access_token), "checkout")

    def portal(self, access_token: str) -> str:
        """A Stripe Customer Portal URL; 409 (never subscribed) is a ``ServerRefused``."""
        return self._url(self._bearer("POST", "/billing/portal", access_token), "billing")

    def delete_me(self, access_token: str) -> None:
        """DELETE /me: cancels any subscription at Stripe, then deletes the account (204)."""
        resp = self._send("DELETE", "/me", headers={"Authorization": f"Bearer {access_token}"})
        if resp.status_code == 401:
            raise Unauthorized("the server refused the access token")
        if resp.status_code != 204:
            body = self._json(resp)
            detail = body.get("detail") or body.get("error") or f"HTTP {resp.status_code}"
            raise ServerRefused(f"{self.base_url}: {detail}", resp.status_code)

    def _url(self, body: dict[str, Any], what: str) -> str:
        url = body.get("url")
        if not isinstance(url, str) or not url:
            raise AccountError(f"{self.base_url} returned no {what} URL")
        return url
