"""Alembic environment.

The database URL comes, in order, from a connection handed over by ``migrate.upgrade``
(``config.attributes["connection"]``), the ``sqlalchemy.url`` option, or the
``RLCOACH_SERVER_DATABASE_URL`` environment variable. SQLite runs in batch mode because it
cannot ALTER most things in place.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy.engine import Connection

from rlcoach_server.db import make_engine
from rlcoach_server.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or os.environ.get(
        "RLCOACH_SERVER_DATABASE_URL", "sqlite:///./rlcoach-server.db"
    )
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _configure(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run()
