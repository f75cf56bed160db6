"""RFC 8628 device authorization grant: codes, polling rules, approval.

Design:
- ``device_code`` is a 256-bit random secret held only by the CLI; we keep its sha256.
- ``user_code`` is 8 characters from a 20-letter alphabet without vowels (no words, no
  0/O or 1/I confusion), shown as ``XXXX-XXXX``. 20^8 ~ 2.6e10 codes, and wrong guesses
  are rate limited per IP (``services.ratelimit``), so guessing a live code is hopeless.
- Polling state (``last_polled_at``, ``interval``) lives in the row and is read with
  ``SELECT ... FOR UPDATE``, so ``slow_down`` is enforced across workers.
- A device code is single-use: approval -> ``consumed`` when tokens are issued.
- Service functions raise ``TokenError`` after changing state on purpose (slow_down grows
  the interval); callers commit before answering.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..config import Settings
from ..models import DeviceAuthorization, User, utcnow
from .tokens import IssuedTokens, TokenError, hash_token, issue_tokens

USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
USER_CODE_LENGTH = 8
SLOW_DOWN_STEP_SECONDS = 5  # RFC 8628 section 3.5
# Keep finished/expired rows a day for support questions, then drop them.
RETENTION = timedelta(days=1)


def generate_user_code() -> str:
    return "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(USER_CODE_LENGTH))


def format_user_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def normalize_user_code(raw: str | None) -> str | None:
    """Accept what people type (lower case, spaces, dashes); None if it cannot be a code."""
    if not raw:
        return None
    code = re.sub(r"[\s-]", "", raw).upper()
    if len(code) != USER_CODE_LENGTH or any(c not in USER_CODE_ALPHABET for c in code):
        return None
    return code


@dataclass(frozen=True)
class DeviceStart:
    device_code: str
    row: DeviceAuthorization


def start(
    db: Session,
    settings: Settings,
    client_id: str,
    scope: str,
    requester_ip: str | None,
    requester_user_agent: str | None,
    now: datetime | None = None,
) -> DeviceStart:
    now = now or utcnow()
    db.execute(delete(DeviceAuthorization).where(DeviceAuthorization.expires_at < now - RETENTION))
    # Collisions are ~1e-10 likely; loop anyway rather than 500 on the unique index.
    while True:
        user_code = generate_user_code()
        taken = db.execute(
            select(DeviceAuthorization.id).where(DeviceAuthorization.user_code == user_code)
        ).first()
        if taken is None:
            break
    device_code = secrets.token_urlsafe(32)
    row = DeviceAuthorization(
        device_code_hash=hash_token(device_code),
        user_code=user_code,
        client_id=client_id,
        scope=scope,
        status="pending",
        requester_ip=requester_ip,
        requester_user_agent=(requester_user_agent or "")[:300] or None,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.device_code_ttl_seconds),
        interval=settings.device_poll_interval_seconds,
    )
    db.add(row)
    db.flush()
    return DeviceStart(device_code, row)


def poll(
    db: Session, settings: Settings, device_code: str, client_id: str, now: datetime | None = None
) -> IssuedTokens:
    """One token-endpoint poll. Returns tokens or raises the RFC 8628 3.5 error."""
    now = now or utcnow()
    row = db.execute(
        select(DeviceAuthorization)
        .where(DeviceAuthorization.device_code_hash == hash_token(device_code))
        .with_for_update()
    ).scalar_one_or_none()
    if row is None or row.client_id != client_id:
        raise TokenError("invalid_grant", "unknown device_code")
    if row.status == "consumed":
        raise TokenError("invalid_grant", "device_code was already used")
    if now >= row.expires_at:
        raise TokenError("expired_token", "the device code has expired; start again")
    if row.status == "denied":
        raise TokenError("access_denied", "the user denied the request")
    if row.status == "pending":
        too_fast = (
            row.last_polled_at is not None
            and (now - row.last_polled_at).total_seconds() < row.interval
        )
        row.last_polled_at = now
        if too_fast:
            # "interval MUST be increased by 5 seconds for this and all subsequent requests"
            row.interval += SLOW_DOWN_STEP_SECONDS
            raise TokenError("slow_down", f"poll at most every {row.interval} seconds")
        raise TokenError("authorization_pending", "waiting for the user to approve")
    # approved
    assert row.user_id is not None
    row.status = "consumed"
    row.last_polled_at = now
    return issue_tokens(db, settings, row.user_id, row.client_id, row.scope, now=now)


def find_pending(
    db: Session, user_code: str, now: datetime | None = None
) -> DeviceAuthorization | None:
    """The live, undecided authorization for a normalized user code, if any."""
    now = now or utcnow()
    row = db.execute(
        select(DeviceAuthorization).where(DeviceAuthorization.user_code == user_code)
    ).scalar_one_or_none()
    if row is None or row.status != "pending" or row.expires_at <= now:
        return None
    return row


def decide(
    db: Session, user_code: str, user: User, approve: bool, now: datetime | None = None
) -> bool:
    """Approve or deny. False if the code is no longer pending (expired, decided, unknown)."""
    now = now or utcnow()
    row = db.execute(
        select(DeviceAuthorization)
        .where(DeviceAuthorization.user_code == user_code)
        .with_for_update()
    ).scalar_one_or_none()
    if row is None or row.status != "pending" or row.expires_at <= now:
        return False
    row.status = "approved" if approve else "denied"
    row.user_id = user.id
    row.decided_at = now
    return True
