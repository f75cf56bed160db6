"""RFC 8628 device authorization, client side: start, then poll until a decision.

Design:
- ``start`` asks the server for a device code; ``DeviceLogin`` keeps what the user is shown
  (``user_code``, ``verification_uri``) and the polling state (``interval``, deadline).
- ``DeviceLogin.poll_once`` is one token request: tokens, or ``None`` while pending; it
  applies ``slow_down`` itself (interval + 5 s, RFC 8628 section 3.5) and turns
  ``expired_token`` / ``access_denied`` into ``LoginExpired`` / ``LoginDenied``.
- ``wait_for_tokens`` sleeps ``interval + margin`` before each poll (the margin keeps clock
  and network jitter from making us poll early and earn a ``slow_down``). The server
  answers ``expired_token`` once the code's ``expires_in`` is up; if it still says pending
  past our own deadline we stop anyway. A poll that fails on the network is retried, up
  to ``MAX_NETWORK_FAILURES`` in a row.
  Sleeping is injectable (``sleep``, ``clock``) only so callers can drive it; Ctrl-C is
  not caught here: ``KeyboardInterrupt`` reaches the CLI, which exits 130.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rlcoach.account.client import NetworkError, OAuthError, ServerClient
from rlcoach.account.tokens import Tokens
from rlcoach.errors import AccountError

SLOW_DOWN_STEP = 5.0
POLL_MARGIN = 0.5
DEFAULT_INTERVAL = 5.0
MAX_NETWORK_FAILURES = 3  # consecutive failed polls before giving up (a Wi-Fi blip is fine)


class LoginExpired(AccountError):
    """The one-time code expired before it was approved."""


class LoginDenied(AccountError):
    """The user pressed Deny on the verification page."""


@dataclass
class DeviceLogin:
    client: ServerClient
    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: float
    interval: float
    started: float = field(default_factory=time.monotonic)
    slow_downs: int = 0

    def poll_once(self) -> Tokens | None:
        """One poll: tokens when approved, ``None`` while pending or after slow_down."""
        try:
            body = self.client.poll_token(self.device_code)
        except OAuthError as exc:
            if exc.error == "authorization_pending":
                return None
            if exc.error == "slow_down":
                self.interval += SLOW_DOWN_STEP
                self.slow_downs += 1
                return None
            if exc.error == "expired_token":
                raise _expired() from None
            if exc.error == "access_denied":
                raise LoginDenied("login denied on the verification page",
                                  hint="Run `rlcoach login` again to retry.") from None
            raise AccountError(f"login failed: {exc.error}"
                               + (f" ({exc.description})" if exc.description else ""),
                               hint="Run `rlcoach login` again.") from None
        return Tokens.from_response(body)


def _expired() -> LoginExpired:
    return LoginExpired("the one-time code expired before it was approved",
                        hint="Run `rlcoach login` again and approve within the time shown.")


def start(client: ServerClient) -> DeviceLogin:
    """POST /oauth/device/code and return the login to show and poll."""
    body = client.device_code()
    try:
        return DeviceLogin(
            client=client,
            device_code=str(body["device_code"]),
            user_code=str(body["user_code"]),
            verification_uri=str(body["verification_uri"]),
            verification_uri_complete=body.get("verification_uri_complete") or None,
            expires_in=float(body.get("expires_in") or 600),
            interval=float(body.get("interval") or DEFAULT_INTERVAL),
        )
    except (KeyError, TypeError, ValueError):
        raise AccountError(f"{client.base_url} sent an incomplete device code answer") from None


def wait_for_tokens(
    login: DeviceLogin,
    *,
    margin: float = POLL_MARGIN,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Tokens:
    """Poll at the server's interval (plus ``margin``) until approved, denied or expired."""
    deadline = login.started + login.expires_in
    network_failures = 0
    while True:
        sleep(login.interval + margin)
        try:
            tokens = login.poll_once()
        except NetworkError:
            network_failures += 1
            if network_failures >= MAX_NETWORK_FAILURES or clock() >= deadline:
                raise
            continue
        network_failures = 0
        if tokens is not None:
            return tokens
        if clock() >= deadline:  # the server has not said so (clock skew): stop anyway
            raise _expired()
