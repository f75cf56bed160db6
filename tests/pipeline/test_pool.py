"""The worker pool turns runaway work into per-file errors, and recovers."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.conftest import REPLAYS

from rlcoach.errors import InputError, ReplayMemoryError, ReplayTimeoutError
from rlcoach.pipeline import analyze_paths, discover_replays
from rlcoach.pipeline.pool import Task, run_tasks
from rlcoach.pipeline.single import file_sha256

SMALL = REPLAYS / "post-eac-ranked-duel-2026-04-28-a.replay"
OTHER = REPLAYS / "panzinii-double-flip-reset-2026-07-09.replay"


def _task(path: Path, timeout: float = 60.0) -> Task:
    return Task(path, file_sha256(path), timeout)


def test_memory_cap_kills_the_worker_and_the_next_file_still_runs() -> None:
    results = list(run_tasks([_task(SMALL)], jobs=1, memory_limit_mb=20))
    assert isinstance(results[0].error, ReplayMemoryError)
    again = list(run_tasks([_task(SMALL)], jobs=1, memory_limit_mb=3000))
    assert again[0].report is not None


def test_timeout_kills_the_worker() -> None:
    results = list(run_tasks([_task(SMALL, timeout=0.05), _task(OTHER)], jobs=1,
                             memory_limit_mb=3000))
    by_name = {r.task.path.name: r for r in results}
    assert isinstance(by_name[SMALL.name].error, ReplayTimeoutError)
    assert "timed out after" in by_name[SMALL.name].error.message
    assert "corrupt" not in by_name[SMALL.name].error.message
    assert by_name[OTHER.name].report is not None


def test_timeout_counts_cpu_time_not_wall_time() -> None:
    """A worker starved of CPU (here: stopped) past its timeout is not failed:
    what a busy machine does to a good replay."""
    import signal
    import threading
    import time

    import psutil

    limit, stopped_for = 5.0, 7.0
    me = psutil.Process()

    def workers() -> list[psutil.Process]:
        # Only this test's worker: the session's background analysis has its own.
        return [k for k in me.children() if "spawn_main" in " ".join(k.cmdline())
                and k.pid not in others]

    others = {k.pid for k in me.children()}

    def starve() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (kids := workers()):
            time.sleep(0.01)
        for kid in kids:
            kid.send_signal(signal.SIGSTOP)
        time.sleep(stopped_for)
        for kid in kids:
            kid.send_signal(signal.SIGCONT)

    starver = threading.Thread(target=starve, daemon=True)
    starver.start()
    (result,) = list(run_tasks([_task(SMALL, timeout=limit)], jobs=1, memory_limit_mb=3000))
    starver.join()
    assert result.error is None and result.report is not None
    assert result.seconds > limit  # more wall time than the limit, well under it in CPU


def test_fifo_is_refused_without_touching_the_engine(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.replay"
    os.mkfifo(fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    (outcome,) = list(analyze_paths([fifo], jobs=1))
    assert outcome.error is not None and "not a regular file" in outcome.error.message


def test_discovery_reports_missing_inputs_and_expands_globs(tmp_path: Path) -> None:
    found = discover_replays([str(REPLAYS / "post-eac-*.replay"), str(tmp_path / "nope")])
    assert len(found.paths) == 5
    assert [type(p) for p in found.problems] == [InputError]


def test_cache_serves_unchanged_files(tmp_path: Path) -> None:
    first = list(analyze_paths([SMALL], jobs=1))
    second = list(analyze_paths([SMALL], jobs=1))
    assert not first[0].cached and second[0].cached
    assert second[0].report == first[0].report
    third = list(analyze_paths([SMALL], jobs=1, use_cache=False))
    assert not third[0].cached
