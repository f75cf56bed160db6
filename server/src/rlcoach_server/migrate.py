"""Run the packaged Alembic migrations programmatically.

Used by ``rlcoach-server migrate``, ``serve --dev`` and the tests. The Alembic config is
built in code (``script_location`` points into this package), so no ``alembic.ini`` is
needed at run time; ``server/alembic.ini`` exists only for developers using ``alembic``.

Concurrent runs (two containers starting at once) are safe on PostgreSQL: each takes a
transaction-scoped advisory lock first, so the second waits, then finds the database at
head and does nothing. SQLite serializes the writers itself.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from .db import make_engine, normalize_url

# pg_advisory_xact_lock key: "rlcoach-migrate" as a stable 63-bit number.
MIGRATION_LOCK_KEY = 0x726C636F616368

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        # ConfigParser interpolation: a literal % in a password must be doubled.
        cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision``."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def heads() -> list[str]:
    return list(ScriptDirectory.from_config(alembic_config()).get_heads())
