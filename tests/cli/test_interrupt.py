"""Ctrl-C during a batch: prompt exit 130, workers gone, no half-written files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
from tests.conftest import REPLAYS


def test_ctrl_c_stops_a_batch_promptly(tmp_path: Path, rlcoach_home: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "RLCOACH_HOME": str(rlcoach_home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rlcoach", "analyze", str(REPLAYS), "--out", str(out),
         "--jobs", "2", "--no-cache"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out.exists() and any(out.glob("*.json"))):
        time.sleep(0.05)  # interrupt mid-batch, once a report or two exist
    children = psutil.Process(proc.pid).children(recursive=True)
    assert children, "the engine runs in worker processes"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    latency = time.monotonic() - sent
    print(f"exit {latency * 1000:.0f} ms after SIGINT")
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert latency < 5.0  # measured well under 1 s; the slack is for a loaded CI machine
    _, alive = psutil.wait_procs(children, timeout=3)
    assert not [c for c in alive if c.status() != psutil.STATUS_ZOMBIE]
    leftovers = [p.name for p in out.iterdir() if not p.name.endswith(".json")]
    assert leftovers == [], "no temp files left behind"
    for report in out.glob("*.json"):
        assert report.read_text().rstrip().endswith("}"), f"{report.name} is complete"
