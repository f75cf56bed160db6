"""Opening the library and the numbered migrations."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from rlcoach import paths
from rlcoach.errors import LibraryError
from rlcoach.library.db import migrate, open_library, schema_version
from rlcoach.library.schema import SCHEMA_VERSION, metadata
from rlcoach.library.store import FileInfo, add_report
from rlcoach.report.registry import METRICS

from .factories import make_report


def test_fresh_library_at_default_path_is_current_and_wal() -> None:
    with open_library() as lib:
        assert lib.path == paths.library_file()
        assert lib.path.exists()
        assert schema_version(lib) == SCHEMA_VERSION
        with lib.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_build_what_the_tables_describe(tmp_path: Path) -> None:
    with open_library(tmp_path / "lib.sqlite3") as lib:
        inspector = inspect(lib.engine)
        for table in metadata.sorted_tables:
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            assert columns == {c.name for c in table.columns}, table.name


def test_upgrade_from_version_1_keeps_data_and_adds_indexes(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with open_library(path, migrate_to=1) as old:
        assert schema_version(old) == 1
        add_report(old, make_report(), FileInfo("/a.replay", 1, 1.0, "aa"))
        assert not inspect(old.engine).get_indexes("metric_values")
    with open_library(path) as lib:
        assert schema_version(lib) == SCHEMA_VERSION
        names = {ix["name"] for ix in inspect(lib.engine).get_indexes("metric_values")}
        assert "ix_metric_values_metric" in names
        with lib.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM games").scalar() == 1
            count = conn.exec_driver_sql("SELECT count(*) FROM metric_values").scalar()
            assert count == 4 * len(METRICS)
        assert migrate(lib) == SCHEMA_VERSION  # a no-op when current


def test_a_newer_library_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    with open_library(path) as lib, lib.engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(LibraryError) as err:
        open_library(path)
    assert "newer rlcoach" in err.value.message and err.value.hint


def test_a_file_that_is_not_sqlite_is_a_library_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LibraryError) as err:
        open_library(path)
    assert err.value.hint and "rlcoach ingest" in err.value.hint


def test_failed_migration_leaves_the_previous_version(tmp_path: Path, monkeypatch) -> None:
    import rlcoach.library.db as db

    path = tmp_path / "half.sqlite3"
    open_library(path, migrate_to=1).close()
    broken = (db.MIGRATIONS[0], ("CREATE INDEX ix_ok ON games (played_at)", "NOT SQL AT ALL"))
    monkeypatch.setattr(db, "MIGRATIONS", broken)
    with pytest.raises(LibraryError):
        open_library(path)
    monkeypatch.undo()
    with open_library(path, migrate_to=1) as lib:
        assert schema_version(lib) == 1
        assert "ix_ok" not in {ix["name"] for ix in inspect(lib.engine).get_indexes("games")}
