"""Ingest under real use: two ingests at once, a corrupt copy first, a FIFO."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from rlcoach.library.ingest import ingest
from rlcoach.library.schema import files, games

from .conftest import CORPUS, SAMPLE


def _ingest_proc(folder: Path, library_file: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "rlcoach", "ingest", str(folder), "--library", str(library_file),
         "--jobs", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ))


def test_two_ingests_at_once_both_finish_with_correct_rows(replay_folder: Path,
                                                             tmp_path: Path) -> None:
    """Analyses come from the cache, so both processes hit the database at once."""
    from rlcoach.library.db import open_library

    for round_ in range(3):
        library_file = tmp_path / f"library-{round_}.sqlite3"
        procs = [_ingest_proc(replay_folder, library_file) for _ in range(2)]
        for proc in procs:
            _out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            assert "locked" not in err and "Traceback" not in err
        with open_library(library_file) as lib, lib.connect() as conn:
            rows = conn.execute(select(files.c.path, files.c.status, files.c.game_id)).all()
            n_games = len(conn.execute(select(games.c.id)).all())
        assert n_games == 4
        by_status = sorted(r.status for r in rows)
        assert by_status == ["duplicate", "ok", "ok", "ok", "ok"], rows
        # The duplicate is the byte-identical copy, never a file of its own game.
        (dup,) = [r for r in rows if r.status == "duplicate"]
        assert Path(dup.path).name in SAMPLE[:2]


def test_a_corrupt_copy_never_stands_in_for_the_game(library, replay_folder: Path) -> None:
    original = replay_folder / SAMPLE[2]
    data = bytearray(original.read_bytes())
    data[len(data) // 2] ^= 0x10  # a body bit: the engine alone might decode it
    (replay_folder / "0-corrupt-copy.replay").write_bytes(bytes(data))  # sorts first
    summary = ingest(library, [replay_folder], jobs=1)
    failed = {r.path.name: r for r in summary.failed}
    assert list(failed) == ["0-corrupt-copy.replay"]
    assert failed["0-corrupt-copy.replay"].error_kind == "corrupt"
    assert "checksum" in (failed["0-corrupt-copy.replay"].error or "")
    with library.connect() as conn:
        status = conn.execute(select(files.c.status).where(
            files.c.path == str(original.resolve()))).scalar_one()
    assert status == "ok"


def test_ingest_refuses_a_fifo_without_reading_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.replay"
    os.mkfifo(fifo)
    proc = subprocess.run([sys.executable, "-m", "rlcoach", "ingest", str(fifo), "--json"],
                          capture_output=True, text=True, timeout=60, env=dict(os.environ))
    assert proc.returncode == 1, proc.stderr
    assert "not a regular file" in proc.stdout and "Traceback" not in proc.stderr


assert CORPUS  # the sample replays come from the shared corpus
