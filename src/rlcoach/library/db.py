"""Opening the library database and keeping its schema current.

One SQLite file (``rlcoach.paths.library_file()``, so ``RLCOACH_HOME``
isolates it) in WAL mode: the dashboard can read while ``watch`` writes.

We take over transaction control from pysqlite (``isolation_level=None``
plus an explicit ``BEGIN`` on SQLAlchemy's begin event). Without this,
pysqlite silently commits before DDL, so a migration that failed half-way
would leave a half-migrated file; with it, each migration and its
``PRAGMA user_version`` bump commit together or not at all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from rlcoach import paths
from rlcoach.errors import LibraryError
from rlcoach.library.schema import MIGRATIONS, SCHEMA_VERSION, metrics
from rlcoach.report.registry import METRICS


class Library:
    """A handle on one library file: an engine, a sessionmaker, metric ids."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        self.sessionmaker = sessionmaker(engine)
        self._metric_ids: dict[str, int] | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session inside one transaction: committed on success."""
        try:
            with self.sessionmaker.begin() as session:
                yield session
        except DBAPIError as exc:
            raise _library_error(self.path, exc) from None

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A Core connection inside one transaction: committed on success."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except IntegrityError:
            raise  # the data's fault, not the library's: the caller fails that one item
        except DBAPIError as exc:
            raise _library_error(self.path, exc) from None

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """Like ``connect`` but takes the write lock up front (``BEGIN IMMEDIATE``).

        A deferred transaction that reads then writes must upgrade its lock;
        when another process committed meanwhile SQLite answers "database is
        locked" at once, without waiting out ``busy_timeout``. Taking the lock
        first makes a second ``rlcoach ingest`` wait its turn instead.
        """
        try:
            with self.engine.connect() as conn:
                conn.execution_options(rlcoach_begin="BEGIN IMMEDIATE")
                with conn.begin():
                    yield conn
        except IntegrityError:
            raise
        except DBAPIError as exc:
            raise _library_error(self.path, exc) from None

    def metric_ids(self) -> dict[str, int]:
        """``Metric.qualified`` -> ``metrics.id``, registering new registry metrics.

        Ids are assigned on first use so a metric added to the registry later
        simply gets the next id; nothing is renumbered.
        """
        if self._metric_ids is None:
            with self.connect() as conn:
                conn.execute(
                    sqlite_insert(metrics).on_conflict_do_nothing(),
                    [{"name": m.qualified} for m in METRICS],
                )
                self._metric_ids = dict(
                    conn.execute(select(metrics.c.name, metrics.c.id)).tuples().all()
                )
        return self._metric_ids

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_library(path: Path | str | None = None, *, migrate_to: int | None = None) -> Library:
    """Open (creating if needed) the library and bring its schema up to date.

    ``migrate_to`` stops at an older version; only tests of the migrations
    themselves need it.
    """
    path = Path(path).expanduser() if path is not None else paths.library_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _begin)
    library = Library(path, engine)
    try:
        migrate(library, migrate_to if migrate_to is not None else SCHEMA_VERSION)
    except DBAPIError as exc:
        engine.dispose()
        raise _library_error(path, exc) from None
    except LibraryError:
        engine.dispose()
        raise
    return library


def _begin(conn: Connection) -> None:
    conn.exec_driver_sql(conn.get_execution_options().get("rlcoach_begin", "BEGIN"))


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # NORMAL is durable across application crashes in WAL mode; it only
    # risks the last commits on power loss, which a re-ingest restores.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")  # watch and ingest may overlap
    cursor.close()


def schema_version(library: Library) -> int:
    with library.engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def migrate(library: Library, target: int = SCHEMA_VERSION) -> int:
    """Apply migrations after ``PRAGMA user_version`` up to ``target``."""
    current = schema_version(library)
    if current > SCHEMA_VERSION:
        raise LibraryError(
            f"{library.path} was written by a newer rlcoach (schema {current}, "
            f"this version knows {SCHEMA_VERSION})",
            hint="Upgrade rlcoach, or point RLCOACH_HOME elsewhere.",
        )
    for number in range(current + 1, target + 1):
        with library.engine.connect() as conn, conn.execution_options(
                rlcoach_begin="BEGIN IMMEDIATE").begin():
            # Another rlcoach may have migrated while we waited for the lock.
            if int(conn.exec_driver_sql("PRAGMA user_version").scalar_one()) >= number:
                continue
            for statement in MIGRATIONS[number - 1]:
                conn.exec_driver_sql(statement)
            # PRAGMA takes no bound parameters; number is our own int.
            conn.exec_driver_sql(f"PRAGMA user_version = {int(number)}")
    return max(current, target)


def _library_error(path: Path, exc: DBAPIError) -> LibraryError:
    original = exc.orig if exc.orig is not None else exc
    message = str(original).splitlines()[0]
    if "locked" in message or "busy" in message:
        return LibraryError(
            f"{path} is busy: {message}",
            hint="Another rlcoach is writing to the library; try again when it is done.",
        )
    if "not a database" in message or "malformed" in message:
        return LibraryError(
            f"{path} is not a usable library: {message}",
            hint="Move the file away and run `rlcoach ingest` to rebuild it.",
        )
    return LibraryError(f"{path}: {message}")

