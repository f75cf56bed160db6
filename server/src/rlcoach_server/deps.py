"""FastAPI dependencies shared by the routers.

Design:
- Per-app state (settings, sessionmaker, OAuth registry) lives on ``app.state`` and is
  reached through ``request.app``; no globals, so tests can run several apps.
- ``get_db`` only opens/closes the session and rolls back on error. Routes commit
  explicitly, so the response is never sent before the transaction is durable.
- ``get_current_user`` accepts ``Authorization: Bearer <access token>`` issued by
  ``services.tokens`` and answers 401 with an RFC 6750 ``WWW-Authenticate`` header.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from .config import Settings
from .models import User
from .services.tokens import user_for_access_token


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


_bearer = HTTPBearer(auto_error=False, description="Access token from POST /oauth/token")


def get_current_user(
    db: Annotated[Session, Depends(get_db)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    user = user_for_access_token(db, credentials.credentials)
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
