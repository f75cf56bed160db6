"""Migrations: one head, upgrade from empty, and models == migrated schema."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from rlcoach_server.db import make_engine, normalize_url
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


@pytest.mark.postgres_only
def test_concurrent_migrate_runs_are_safe(database_url: str) -> None:
    """Issue 13 item 11: two containers running ``migrate`` at once must both succeed."""
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    name = f"rlcoach_mig_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalize_url(database_url)).set(database=name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RLCOACH_SERVER_")}
    env["RLCOACH_SERVER_DATABASE_URL"] = url.render_as_string(hide_password=False)
    try:
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "rlcoach_server.cli", "migrate"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
        assert [code for code, _ in results] == [0, 0, 0], results
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
