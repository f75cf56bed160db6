"""``rlcoach watch`` as a user runs it: catch up on the folder, follow it, Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from tests.conftest import REPLAYS
from typer.testing import CliRunner

from rlcoach.cli import app

SMALL = "post-eac-ranked-duel-2026-04-28-a.replay"


def _watch(folder: Path, rlcoach_home: Path, *extra: str) -> tuple[subprocess.Popen, list[str]]:
    env = {**os.environ, "RLCOACH_HOME": str(rlcoach_home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rlcoach", "watch", str(folder), "--stable-seconds", "0.3", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    lines: list[str] = []
    assert proc.stderr is not None
    stderr = proc.stderr
    threading.Thread(target=lambda: lines.extend(stderr), daemon=True).start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any("Watching" in line for line in lines):
        assert proc.poll() is None, "".join(lines)
        time.sleep(0.05)
    return proc, lines


def _stop(proc: subprocess.Popen, lines: list[str]) -> None:
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    assert proc.returncode == 130, "".join(lines)  # Ctrl-C exits 130, here too
    assert not any("Traceback" in line for line in lines), "".join(lines)


@pytest.mark.parametrize("new_only", [False, True], ids=["catch-up", "new-only"])
def test_watch_adds_replays_already_in_the_folder(tmp_path: Path, rlcoach_home: Path,
                                                  new_only: bool) -> None:
    if not (REPLAYS / SMALL).exists():
        pytest.skip("replay corpus not found")
    folder = tmp_path / "Demos"
    folder.mkdir()
    shutil.copy2(REPLAYS / SMALL, folder / SMALL)  # keeps its old mtime: a settled file
    proc, lines = _watch(folder, rlcoach_home, *(["--new-only"] if new_only else []))
    _stop(proc, lines)
    result = CliRunner().invoke(app, ["games", "--json"])
    if new_only:
        assert "library is empty" in result.stderr
    else:
        assert len(json.loads(result.stdout)) == 1
        assert any("1 new" in line for line in lines), "".join(lines)
