"""Upstream login providers (Discord, Google) through authlib's Starlette OAuth client.

Design:
- One ``authlib.integrations.starlette_client.OAuth`` registry per app, built from
  settings; only providers with a client id are registered.
- Google is OpenID Connect: endpoints come from its discovery document and the ``id_token``
  is verified (signature against the provider's JWKS, nonce, audience) by authlib.
- Discord is plain OAuth 2.0: after the code exchange we read ``users/@me``.
- PKCE (RFC 7636, S256) on both: authlib keeps the verifier in the signed session with
  the ``state``, so an intercepted authorization code is useless on its own.
- Every URL is a setting, so tests point them at a fake provider on loopback and the real
  authorization-code round trip is exercised.
- Returns a provider-neutral ``UpstreamIdentity``; linking it to a user is
  ``services.users``' job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from authlib.integrations.starlette_client import OAuth

from ..config import Settings

PROVIDER_LABELS = {"discord": "Discord", "google": "Google", "dev": "Dev login"}


@dataclass(frozen=True)
class UpstreamIdentity:
    provider: str
    subject: str
    email: str | None
    name: str | None


def build_oauth_registry(settings: Settings) -> OAuth:
    oauth = OAuth()
    if settings.discord_client_id:
        oauth.register(
            "discord",
            client_id=settings.discord_client_id,
            client_secret=settings.discord_client_secret.get_secret_value(),
            authorize_url=settings.discord_authorize_url,
            access_token_url=settings.discord_token_url,
            api_base_url=settings.discord_api_base_url,
            client_kwargs={
                "scope": "identify email",
                "timeout": 10,
                "code_challenge_method": "S256",
            },
        )
    if settings.google_client_id:
        oauth.register(
            "google",
            client_id=settings.google_client_id,
            client_secret=settings.google_client_secret.get_secret_value(),
            server_metadata_url=settings.google_server_metadata_url,
            client_kwargs={
                "scope": "openid email profile",
                "timeout": 10,
                "code_challenge_method": "S256",
            },
        )
    return oauth


async def identity_from_token(
    oauth: OAuth, provider: str, token: dict[str, Any]
) -> UpstreamIdentity:
    """Turn the provider's token response into who the user is upstream."""
    client = oauth.create_client(provider)
    if client is None:
        raise ValueError(f"provider {provider!r} is not configured")
    if provider == "google":
        info = token.get("userinfo")
        if info is None:  # no id_token in the response: ask the userinfo endpoint
            info = await client.userinfo(token=token)
        # Only trust an email the provider says it verified.
        email = info.get("email") if info.get("email_verified") else None
        return UpstreamIdentity("google", str(info["sub"]), email, info.get("name"))
    if provider == "discord":
        resp = await client.get("users/@me", token=token)
        resp.raise_for_status()
        me = resp.json()
        email = me.get("email") if me.get("verified") else None
        name = me.get("global_name") or me.get("username")
        return UpstreamIdentity("discord", str(me["id"]), email, name)
    raise ValueError(f"unknown provider {provider!r}")
