"""Opaque bearer tokens: issue, verify, rotate, revoke.

Design:
- Tokens are random strings with a short type prefix (``rlc_at_``, ``rlc_rt_``) so a leaked
  one is recognisable by secret scanners. Only their sha256 digest is stored, and lookups
  go by digest (an indexed equality on a hash is not a timing oracle for the token).
- Refresh tokens rotate: each use marks the old one used and issues a new pair in the same
  family. Presenting a used refresh token again means it was copied, so the whole family
  (every access and refresh token from that device approval) is revoked (OAuth 2.0
  Security BCP, section 4.14).
- No FastAPI imports: routes translate ``TokenError`` into RFC 6749 error responses.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..config import Settings
from ..models import AccessToken, RefreshToken, User, utcnow

ACCESS_PREFIX = "rlc_at_"
REFRESH_PREFIX = "rlc_rt_"
TOKEN_BYTES = 32


class TokenError(Exception):
    """An RFC 6749 error (``invalid_grant`` etc.) to be reported to the client."""

    def __init__(self, error: str, description: str = "") -> None:
        super().__init__(error)
        self.error = error
        self.description = description


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    scope: str

    def as_response(self) -> dict[str, object]:
        """The RFC 6749 section 5.1 token response body."""
        body: dict[str, object] = {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
        }
        if self.scope:
            body["scope"] = self.scope
        return body


def issue_tokens(
    db: Session,
    settings: Settings,
    user_id: str,
    client_id: str,
    scope: str = "",
    family_id: str | None = None,
    now: datetime | None = None,
) -> IssuedTokens:
    """Create an access + refresh token pair (a new family unless one is given)."""
    now = now or utcnow()
    family_id = family_id or uuid.uuid4().hex
    access = ACCESS_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    refresh = REFRESH_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    for model, secret, ttl in (
        (AccessToken, access, settings.access_token_ttl_seconds),
        (RefreshToken, refresh, settings.refresh_token_ttl_seconds),
    ):
        db.add(
            model(
                token_hash=hash_token(secret),
                user_id=user_id,
                client_id=client_id,
                family_id=family_id,
                scope=scope,
                created_at=now,
                expires_at=now + timedelta(seconds=ttl),
            )
        )
    db.flush()
    return IssuedTokens(access, refresh, settings.access_token_ttl_seconds, scope)


def user_for_access_token(db: Session, token: str, now: datetime | None = None) -> User | None:
    """The user owning a live (unexpired, unrevoked) access token, else None."""
    if not token.startswith(ACCESS_PREFIX):
        return None
    now = now or utcnow()
    row = db.get(AccessToken, hash_token(token))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    return db.get(User, row.user_id)


def revoke_family(db: Session, family_id: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    for model in (AccessToken, RefreshToken):
        db.execute(
            update(model)
            .where(model.family_id == family_id, model.revoked_at.is_(None))
            .values(revoked_at=now)
        )


def rotate_refresh_token(
    db: Session, settings: Settings, token: str, client_id: str, now: datetime | None = None
) -> IssuedTokens:
    """Exchange a refresh token for a new pair; detect and punish replays."""
    now = now or utcnow()
    # FOR UPDATE: two concurrent refreshes with the same token must not both succeed.
    row = db.execute(
        select(RefreshToken).where(RefreshToken.token_hash == hash_token(token)).with_for_update()
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        raise TokenError("invalid_grant", "refresh token is invalid or revoked")
    if row.client_id != client_id:
        raise TokenError("invalid_grant", "refresh token was issued to another client")
    if row.used_at is not None:
        # Replay of a rotated token: someone else may hold the family. Cut it off.
        revoke_family(db, row.family_id, now)
        raise TokenError("invalid_grant", "refresh token was already used")
    if row.expires_at <= now:
        raise TokenError("invalid_grant", "refresh token expired")
    row.used_at = now
    # The previous access token of this family stays valid until it expires; clients
    # switch to the new one right away.
    return issue_tokens(db, settings, row.user_id, client_id, row.scope, row.family_id, now)


def revoke_token(db: Session, token: str, client_id: str | None = None) -> None:
    """RFC 7009: revoke whatever ``token`` is; unknown tokens are silently ignored.

    Revoking a refresh token revokes its family (the access tokens issued with it too);
    revoking an access token revokes only that token.
    """
    digest = hash_token(token)
    now = utcnow()
    refresh = db.get(RefreshToken, digest)
    if refresh is not None and (client_id is None or refresh.client_id == client_id):
        revoke_family(db, refresh.family_id, now)
        return
    access = db.get(AccessToken, digest)
    if (
        access is not None
        and access.revoked_at is None
        and (client_id is None or access.client_id == client_id)
    ):
        access.revoked_at = now
