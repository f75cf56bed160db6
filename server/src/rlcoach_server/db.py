"""Database engine and sessions (SQLAlchemy 2.x, synchronous).

Design:
- Synchronous SQLAlchemy: FastAPI runs sync endpoints in its thread pool, which keeps
  transactions explicit and easy to reason about. All state lives in the database (no
  process memory), so several uvicorn workers are safe.
- PostgreSQL through psycopg 3 in production (``postgresql+psycopg://``); SQLite for local
  and dev runs. Plain ``postgresql://`` URLs are rewritten to use psycopg 3.
- One engine + sessionmaker per app, stored on ``app.state`` by ``create_app``: no module
  globals, so tests can build several apps against different databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def normalize_url(url: str) -> str:
    """Make ``postgres://`` / ``postgresql://`` URLs use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        # The threadpool hands one connection to different threads over time.
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            # SQLite ignores FOREIGN KEY clauses unless asked; WAL lets readers run
            # while a writer commits; busy_timeout waits instead of failing on a lock.
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=5000")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    # pool_pre_ping: connections dropped by a PostgreSQL restart are replaced quietly.
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: objects stay readable after commit when building responses.
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
