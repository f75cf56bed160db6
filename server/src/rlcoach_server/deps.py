"""FastAPI dependencies shared by the routers.

Design:
- Per-app state (settings, sessionmaker, OAuth registry) lives on ``app.state`` and is
  reached through ``request.app``; no globals, so tests can run several apps.
- ``get_db`` only opens/closes the session and rolls back on error. Routes commit
  explicitly, so the response is never sent before the transaction is durable. It first
  takes a slot of the worker's ``DbGate`` (see ``dbgate.py``: why, and the 503 when busy).
- ``get_current_user`` accepts ``Authorization: Bearer <access token>`` issued by
  ``services.tokens`` and answers 401 with an RFC 6750 ``WWW-Authenticate`` header. It
  passes the token's ``TokenGate`` first (429 when that token has too many requests in
  flight) and ends its read transaction, so the connection goes back to the pool before
  the endpoint waits for a thread.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from .config import Settings
from .dbgate import Busy
from .models import User
from .services.tokens import user_for_access_token


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def db_slot(request: Request) -> AsyncIterator[None]:
    try:
        sem = await request.app.state.db_gate.acquire()
    except Busy:
        # 429 rather than 503: the worker is up, this caller should slow down and retry.
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "server busy, retry shortly",
            headers={"Retry-After": "1"},
        ) from None
    try:
        yield
    finally:
        sem.release()


async def get_db(
    request: Request, _slot: Annotated[None, Depends(db_slot)]
) -> AsyncIterator[Session]:
    # Async so that opening and closing cost no thread hops: creating a Session does no I/O
    # (it connects on first use, inside the endpoint's thread), and by the time it closes,
    # routes that wrote have committed (releasing the connection); read-only ones hand it
    # back with the pool's reset, one local round trip.
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


_bearer = HTTPBearer(auto_error=False, description="Access token from POST /oauth/token")


async def bearer_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AsyncIterator[str]:
    """The bearer token, admitted by the worker's ``TokenGate`` (else 429)."""
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    gate = request.app.state.token_gate
    key = gate.key(credentials.credentials)
    if not gate.enter(key):
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many concurrent requests with this token",
            headers={"Retry-After": "1"},
        )
    try:
        yield credentials.credentials
    finally:
        gate.leave(key)


def get_current_user(
    token: Annotated[str, Depends(bearer_token)],
    db: Annotated[Session, Depends(get_db)],
) -> User:
    user = user_for_access_token(db, token)
    # End the read transaction here, in this thread: the connection returns to the pool
    # instead of staying checked out while the endpoint waits for a thread of its own.
    db.commit()
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "invalid or expired access token",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return user


def client_ip(request: Request) -> str:
    """The caller's IP. Behind a proxy, uvicorn's --proxy-headers/forwarded_allow_ips has
    already replaced ``request.client`` with the X-Forwarded-For address of trusted proxies."""
    return request.client.host if request.client else "unknown"


SettingsDep = Annotated[Settings, Depends(get_settings)]
DbDep = Annotated[Session, Depends(get_db)]
CurrentUser = Annotated[User, Depends(get_current_user)]
