"""Ingest of real replays: dedupe, skip-before-analysis, failures, resume."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rlcoach.config import Config, LibrarySettings
from rlcoach.errors import InputError
from rlcoach.library.ingest import default_inputs, ingest
from rlcoach.library.schema import files, games

from .conftest import CORPUS, SAMPLE

pytestmark = pytest.mark.corpus


def _games(lib) -> int:
    with lib.connect() as conn:
        return conn.execute(select(func.count()).select_from(games)).scalar_one()


def test_ingest_folder_dedupes_the_identical_copy(library, replay_folder: Path) -> None:
    seen = []
    summary = ingest(library, [replay_folder], jobs=1, on_result=seen.append)
    assert (summary.new, summary.duplicate, summary.failed) == (4, 1, [])
    assert _games(library) == 4
    assert len(seen) == 5
    assert {r.path.name for r in seen if r.status == "duplicate"} <= set(SAMPLE[:2])
    # Game time comes from the replay header, not the file.
    with library.connect() as conn:
        dates = set(conn.execute(select(games.c.played_at)).scalars())
    assert "2026-03-10T18:55:49" in dates


def test_reingest_skips_everything_without_analysis(library, replay_folder: Path) -> None:
    ingest(library, [replay_folder], jobs=1)
    again = ingest(library, [replay_folder], jobs=1)
    assert (again.new, again.duplicate, again.unchanged, again.results) == (0, 0, 5, [])
    # Same file under a new name: known by sha256 before any analysis.
    shutil.copy2(replay_folder / SAMPLE[2], replay_folder / "renamed.replay")
    third = ingest(library, [replay_folder], jobs=1)
    assert [(r.path.name, r.status, r.analyzed) for r in third.results] == [
        ("renamed.replay", "duplicate", False)]
    assert _games(library) == 4


def test_a_bad_file_is_recorded_and_never_aborts(library, replay_folder: Path) -> None:
    (replay_folder / "broken.replay").write_bytes(os.urandom(4096))
    summary = ingest(library, [replay_folder], jobs=1)
    assert summary.new == 4
    (bad,) = summary.failed
    assert bad.path.name == "broken.replay" and bad.error_kind and bad.error
    with library.connect() as conn:
        row = conn.execute(select(files).where(files.c.path.endswith("broken.replay"))).one()
    assert row.status == "failed" and row.error
    # Not retried unless asked.
    assert ingest(library, [replay_folder], jobs=1).failed == []
    retried = ingest(library, [replay_folder], jobs=1, retry_failed=True)
    assert [r.path.name for r in retried.failed] == ["broken.replay"]


def test_ingest_runs_the_analysis_pool(library, tmp_path: Path) -> None:
    # No cache: this exercises the worker pool end to end on one small file.
    folder = tmp_path / "fresh"
    folder.mkdir()
    shutil.copy2(CORPUS / SAMPLE[2], folder / SAMPLE[2])
    summary = ingest(library, [folder], jobs=1, use_cache=False)
    assert summary.new == 1 and summary.results[0].analyzed


def test_missing_inputs(library, tmp_path: Path, replay_folder: Path) -> None:
    with pytest.raises(InputError):
        ingest(library, [tmp_path / "nope"])
    summary = ingest(library, [tmp_path / "nope", replay_folder / SAMPLE[2]], jobs=1)
    assert summary.new == 1 and len(summary.problems) == 1


def test_default_inputs_come_from_config(tmp_path: Path) -> None:
    config = Config(library=LibrarySettings(demos_dirs=(tmp_path,)))
    assert default_inputs(config) == [tmp_path]
