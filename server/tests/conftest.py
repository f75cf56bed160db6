"""Shared fixtures for the server tests.

Database: PostgreSQL when reachable (``RLCOACH_SERVER_TEST_DATABASE_URL``, default
``postgresql://postgres@127.0.0.1:5432/test``), else a SQLite file. Several test runs may
share one PostgreSQL server at once, so each session creates its own
``rlcoach_test_<random hex>`` database through the given one, migrates it with the real
Alembic migrations and drops it at the end. Tests marked ``postgres_only`` are skipped on
SQLite and listed plainly in the terminal summary.

Fixtures for other test modules (the coach tests use them too):
- ``settings``: production-like ``Settings`` (not dev mode) wired to the fakes below.
- ``app`` / ``client``: an app from ``create_app(settings)`` and a TestClient on it.
  Tests that need other settings build ``make_client(**overrides)``.
- ``engine`` / ``db_session``: direct database access to the per-session database.
- ``user_factory(email=..., name=...)`` creates a committed user;
  ``auth_headers(user)`` issues a real access token through ``services.tokens``.
- ``fake_stripe`` / ``fake_provider``: real HTTP fakes on loopback.
All tables are emptied after each test that used the database, so tests do not leak
rate-limit counters or rows into each other.
"""

from __future__ import annotations

import os
import secrets
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from fake_oauth_provider import CLIENT_ID, CLIENT_SECRET, FakeProvider, start_fake_provider
from fake_stripe import FakeStripe, start_fake_stripe

warnings.filterwarnings("ignore", message=".*httpx module is deprecated.*")

from rlcoach_server.config import Settings  # noqa: E402
from rlcoach_server.db import make_engine, normalize_url  # noqa: E402
from rlcoach_server.main import create_app  # noqa: E402
from rlcoach_server.migrate import upgrade  # noqa: E402
from rlcoach_server.models import Base, User  # noqa: E402
from rlcoach_server.services.providers import UpstreamIdentity  # noqa: E402
from rlcoach_server.services.tokens import issue_tokens  # noqa: E402
from rlcoach_server.services.users import get_or_create_user  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
PUBLIC_URL = "https://testserver"
WEBHOOK_SECRET = "whsec_" + "w" * 32

_state: dict[str, Any] = {"backend": None, "skipped_pg_only": []}


def _try_postgres() -> str | None:
    """Create a private database on the PostgreSQL server; None if unreachable."""
    admin_url = normalize_url(os.environ.get("RLCOACH_SERVER_TEST_DATABASE_URL", DEFAULT_PG))
    if not admin_url.startswith("postgresql"):
        print("\n[rlcoach-server tests] test database URL is not PostgreSQL; using SQLite")
        return None
    admin = make_engine(
        admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    name = f"rlcoach_test_{secrets.token_hex(6)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure means "no PostgreSQL here"
        print(
            f"\n[rlcoach-server tests] PostgreSQL not usable ({type(exc).__name__}); using SQLite"
        )
        return None
    finally:
        admin.dispose()
    _state["admin_url"] = admin_url
    _state["db_name"] = name
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_postgres() -> None:
    admin = make_engine(_state["admin_url"], isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{_state["db_name"]}" WITH (FORCE)'))
    finally:
        admin.dispose()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres_only: needs PostgreSQL (skipped on SQLite)")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = _try_postgres()
    if url is not None:
        _state["backend"] = "postgresql"
        try:
            upgrade(url)
            yield url
        finally:
            _drop_postgres()
        return
    _state["backend"] = "sqlite"
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade(url)
    yield url


@pytest.fixture(scope="session")
def backend(database_url: str) -> str:
    return str(_state["backend"])


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    marked = request.node.get_closest_marker("postgres_only") is not None
    if marked and request.getfixturevalue("backend") != "postgresql":
        _state["skipped_pg_only"].append(request.node.nodeid)
        pytest.skip("PostgreSQL-only test; no PostgreSQL reachable")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    backend = _state["backend"]
    if backend:
        terminalreporter.write_line(f"rlcoach-server tests ran on: {backend}")
    skipped = _state["skipped_pg_only"]
    if skipped:
        terminalreporter.write_line(
            f"SKIPPED {len(skipped)} PostgreSQL-only tests (no PostgreSQL reachable):"
        )
        for nodeid in skipped:
            terminalreporter.write_line(f"  {nodeid}")


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def db_session(engine: Engine, _clean_tables: None) -> Iterator[Session]:
    session = Session(engine, expire_on_commit=False)
    yield session
    session.close()


@pytest.fixture
def _clean_tables(engine: Engine) -> Iterator[None]:
    yield
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(scope="session")
def fake_stripe() -> Iterator[FakeStripe]:
    fake = start_fake_stripe()
    yield fake
    assert fake.server is not None
    fake.server.stop()


@pytest.fixture(scope="session")
def fake_provider() -> Iterator[FakeProvider]:
    fake = start_fake_provider()
    yield fake
    assert fake.server is not None
    fake.server.stop()


def build_settings(
    db_url: str, fake_stripe: FakeStripe, fake_provider: FakeProvider, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "dev_mode": False,
        "database_url": db_url,
        "public_url": PUBLIC_URL,
        "secret_key": "test-secret-key-" + "k" * 32,
        "device_poll_interval_seconds": 5,
        "discord_client_id": CLIENT_ID,
        "discord_client_secret": CLIENT_SECRET,
        "discord_authorize_url": f"{fake_provider.base_url}/authorize",
        "discord_token_url": f"{fake_provider.base_url}/token",
        "discord_api_base_url": f"{fake_provider.base_url}/api/",
        "google_client_id": CLIENT_ID,
        "google_client_secret": CLIENT_SECRET,
        "google_server_metadata_url": f"{fake_provider.base_url}/.well-known/openid-configuration",
        "stripe_secret_key": fake_stripe.api_key,
        "stripe_webhook_secret": WEBHOOK_SECRET,
        "stripe_price_id_pro": "price_pro_monthly",
        "stripe_api_base": fake_stripe.base_url,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(database_url: str, fake_stripe: FakeStripe, fake_provider: FakeProvider) -> Settings:
    fake_stripe.reset()
    return build_settings(database_url, fake_stripe, fake_provider)


@pytest.fixture
def make_app(
    database_url: str, fake_stripe: FakeStripe, fake_provider: FakeProvider, _clean_tables: None
) -> Iterator[Callable[..., FastAPI]]:
    apps: list[FastAPI] = []

    def factory(settings: Settings | None = None, **overrides: Any) -> FastAPI:
        if settings is None:
            settings = build_settings(database_url, fake_stripe, fake_provider, **overrides)
        elif overrides:
            settings = settings.model_copy(update=overrides)
        app = create_app(settings)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.state.engine.dispose()
        app.state.health_engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., FastAPI], settings: Settings) -> FastAPI:
    return make_app(settings)


@pytest.fixture
def make_client(make_app: Callable[..., FastAPI]) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def factory(app: FastAPI | None = None, **overrides: Any) -> TestClient:
        c = TestClient(app or make_app(**overrides), base_url=PUBLIC_URL, follow_redirects=False)
        clients.append(c)
        return c

    yield factory
    for c in clients:
        c.close()


@pytest.fixture
def client(make_client: Callable[..., TestClient], app: FastAPI) -> TestClient:
    return make_client(app)


@pytest.fixture
def user_factory(engine: Engine, _clean_tables: None) -> Callable[..., User]:
    def create(email: str | None = None, name: str | None = None) -> User:
        n = secrets.token_hex(4)
        ident = UpstreamIdentity("test", n, email or f"user-{n}@example.com", name or f"User {n}")
        with Session(engine, expire_on_commit=False) as s:
            user = get_or_create_user(s, ident)
            s.commit()
            return user

    return create


@pytest.fixture
def auth_headers(engine: Engine, settings: Settings) -> Callable[[User], dict[str, str]]:
    def headers(user: User, client_id: str = "rlcoach-cli") -> dict[str, str]:
        with Session(engine) as s:
            issued = issue_tokens(s, settings, user.id, client_id)
            s.commit()
        return {"Authorization": f"Bearer {issued.access_token}"}

    return headers
