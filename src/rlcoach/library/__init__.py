"""The local library: every analyzed game in one SQLite file.

* ``db``: ``open_library(path=None)`` -> ``Library`` (engine, sessionmaker,
  migrations through ``PRAGMA user_version``).
* ``schema``: tables and numbered migrations.
* ``store``: writing one report (dedupe by match, files bookkeeping).
* ``ingest``: folders/files -> analysis worker pool -> store, resumable.
* ``watch``: follow the Demos folder and ingest replays once fully written.
* ``queries`` (+ ``filters``, ``stats``): the read-side API for CLI and TUI.
* ``export``: CSV, one row per (game, player) with every registry metric.

This package never imports typer, rich or textual: the CLI renders.
"""

from rlcoach.library.db import Library, open_library

__all__ = ["Library", "open_library"]
