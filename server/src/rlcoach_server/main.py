"""Application factory.

Design: ``create_app(settings)`` builds everything an app needs (engine, sessionmaker,
OAuth client registry, middleware, routers) and keeps it on ``app.state``. The CLI, the
tests and ``uvicorn --factory`` all go through it. Routers are one per area under
``routes/``; the logic they call lives in ``services/``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware

from . import __version__
from .bodylimit import BodySizeLimit
from .config import HEALTH_POOL_SIZE, Settings
from .db import make_engine, make_sessionmaker
from .dbgate import DbGate, TokenGate
from .observability import RequestContext, configure_logging
from .routes import account, billing, coach, device, health, oauth
from .services import maintenance
from .services.billing import make_client as make_stripe_client
from .services.providers import build_oauth_registry

log = logging.getLogger(__name__)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    task = asyncio.create_task(
        maintenance.run_periodically(app.state.sessionmaker, settings.maintenance_interval_seconds)
    )
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        lifespan=_lifespan,
        title="rlcoach server",
        version=__version__,
        description="Device login, billing and the metered coach for the rlcoach CLI.",
    )
    # The request pool never overflows: DbGate (deps.db_slot) admits at most db_pool_size
    # requests to it, so the per-worker connection budget in config.py holds.
    engine = make_engine(settings.database_url, **pool_args(settings, settings.db_pool_size))
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.health_engine = make_engine(
        settings.database_url, **pool_args(settings, HEALTH_POOL_SIZE, timeout=2.0)
    )
    app.state.db_gate = DbGate(settings.db_pool_size, settings.db_slot_wait_seconds)
    app.state.token_gate = TokenGate(settings.requests_in_flight_per_token)
    app.state.oauth = build_oauth_registry(settings)
    app.state.stripe = make_stripe_client(settings)

    # Signed cookie session for the /device pages only (upstream-login state, CSRF token,
    # signed-in user). The CLI's API calls use bearer tokens and never read it.
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie="rlcoach_session",
        max_age=60 * 30,
        same_site="lax",
        https_only=settings.cookie_secure,
    )

    # A body over its cap is refused before anything else sees it; outermost of all, the
    # request id, so even a 413 is logged with one.
    app.add_middleware(
        BodySizeLimit,
        max_body_bytes=settings.max_body_bytes,
        coach_max_body_bytes=settings.coach_max_body_bytes,
    )
    app.add_middleware(RequestContext)

    app.include_router(health.router)
    app.include_router(oauth.router)
    app.include_router(device.router)
    app.include_router(account.router)
    app.include_router(billing.router)
    app.include_router(coach.router)
    return app


def pool_args(settings: Settings, size: int, timeout: float = 30.0) -> dict[str, object]:
    """A fixed-size pool (SQLite keeps SQLAlchemy's defaults)."""
    if settings.is_sqlite:
        return {}
    return {"pool_size": size, "max_overflow": 0, "pool_timeout": timeout}


def create_app_from_env() -> FastAPI:
    """Entry point for ``uvicorn --factory rlcoach_server.main:create_app_from_env``."""
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
