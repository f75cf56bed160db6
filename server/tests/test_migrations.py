"""Migrations: one head, upgrade from empty, and models == migrated schema."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from rlcoach_server.db import make_engine
from rlcoach_server.migrate import alembic_config, heads, upgrade
from rlcoach_server.models import Base


def test_exactly_one_head() -> None:
    assert len(heads()) == 1


def test_models_match_migrated_schema(engine: Engine) -> None:
    # ``engine`` is the session database, migrated from empty by conftest.
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_upgrade_from_empty_sqlite(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    eng = make_engine(url)
    try:
        tables = set(inspect(eng).get_table_names())
    finally:
        eng.dispose()
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables
    # Upgrading again is a no-op.
    upgrade(url)


def test_downgrade_to_base_and_back(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    eng = make_engine(url)
    try:
        assert set(inspect(eng).get_table_names()) <= {"alembic_version"}
    finally:
        eng.dispose()
    upgrade(url)
