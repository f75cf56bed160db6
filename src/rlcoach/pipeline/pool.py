"""Analyze replays in supervised worker processes.

The engine can abort the interpreter (Rust allocation failure), allocate
without bound on a corrupt frame time, hang on odd paths, and ignores Ctrl-C
until a call returns. So no engine call ever runs in the CLI's process:

* long-lived ``spawn`` workers (one per job) take one file at a time over a
  pipe and are recycled after ``RECYCLE_AFTER`` files;
* the parent polls every worker's resident memory and CPU time every
  ``TICK_S`` and SIGKILLs a worker past its per-file timeout or memory cap.
  The timeout counts the worker's CPU time (user + system), not wall time:
  on a machine busy with other work a good replay waits for a core without
  using its budget (measured: 3.99 s of CPU in 27 s of wall time at load 9).
  A wall-clock backstop of ``WALL_FACTOR`` times the timeout still catches a
  worker that hangs without computing;
* a worker that dies (SIGABRT, SIGKILL, panic) becomes a per-file error with
  the tail of its stderr, and is replaced;
* workers ignore SIGINT; on Ctrl-C the parent kills them and re-raises at
  once, so the CLI answers within one tick.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from rlcoach.errors import (
    ReplayCrashError,
    ReplayError,
    ReplayMemoryError,
    ReplayTimeoutError,
    replay_error,
)

TICK_S = 0.05
RECYCLE_AFTER = 25
WALL_FACTOR = 10.0  # wall-clock backstop, in multiples of the CPU timeout
_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Task:
    path: Path
    sha256: str
    timeout_s: float
    size: int = 0


@dataclass
class TaskResult:
    task: Task
    report: dict[str, Any] | None
    error: ReplayError | None
    seconds: float
    peak_rss_mb: float


def _worker_main(conn: Connection, stderr_path: str) -> None:
    """Child: analyze files until told to stop. Never raises to the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fd = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 2)  # keep Rust abort messages for the crash report
    from rlcoach.errors import RlcoachError
    from rlcoach.pipeline.single import analyze_file

    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        path, sha = msg
        try:
            conn.send(("ok", analyze_file(Path(path), sha)))
        except RlcoachError as exc:
            kind = getattr(exc, "kind", "failed")
            conn.send(("error", kind, exc.message, exc.hint))
        except BaseException as exc:  # engine panics derive from BaseException
            if isinstance(exc, SystemExit | KeyboardInterrupt):
                raise
            text = " ".join(str(exc).split())[:200]
            conn.send(("error", "failed",
                       f"{Path(path).name}: internal error ({type(exc).__name__}: {text})",
                       "Please report this with the replay attached."))


class _Worker:
    def __init__(self, ctx: Any, tmpdir: str, n: int) -> None:
        self.stderr_path = os.path.join(tmpdir, f"worker-{n}.stderr")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, self.stderr_path),
                                daemon=True, name=f"rlcoach-worker-{n}")
        self.proc.start()
        child.close()
        self.task: Task | None = None
        self.started = 0.0
        self.cpu_started = 0.0
        self.done = 0
        self.peak_mb = 0.0

    def send(self, task: Task) -> None:
        self.task, self.started, self.peak_mb = task, time.monotonic(), 0.0
        self.cpu_started = self.cpu_s()
        self.conn.send((str(task.path), task.sha256))

    def cpu_s(self) -> float:
        """The worker's CPU time so far (user + system), in seconds."""
        try:
            with open(f"/proc/{self.proc.pid}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / _CLK_TCK  # utime, stime
        except (OSError, ValueError, IndexError):
            return _psutil_cpu_s(self.proc.pid)

    def rss_mb(self) -> float:
        try:
            with open(f"/proc/{self.proc.pid}/statm", "rb") as fh:
                pages = int(fh.read().split()[1])
            return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
        except (OSError, ValueError, IndexError):
            return _psutil_rss_mb(self.proc.pid)

    def stderr_tail(self) -> str:
        try:
            with open(self.stderr_path, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                fh.seek(max(0, fh.tell() - 400))
                return " ".join(fh.read().decode("utf-8", "replace").split())
        except OSError:
            return ""

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(timeout=2)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.proc.join(timeout=1)
        self.kill()


def _psutil_rss_mb(pid: int) -> float:
    try:
        import psutil

        return float(psutil.Process(pid).memory_info().rss) / 1e6
    except Exception:
        return 0.0


def _psutil_cpu_s(pid: int) -> float:
    try:
        import psutil

        times = psutil.Process(pid).cpu_times()
        return float(times.user + times.system)
    except Exception:
        return 0.0


def run_tasks(tasks: list[Task], jobs: int, memory_limit_mb: float) -> Iterator[TaskResult]:
    """Yield one result per task, in completion order."""
    if not tasks:
        return
    ctx = mp.get_context("spawn")
    pending = list(reversed(tasks))
    workers: list[_Worker] = []
    spawned = 0
    with tempfile.TemporaryDirectory(prefix="rlcoach-") as tmpdir:
        try:
            while pending or any(w.task for w in workers):
                while pending and len(workers) < jobs:
                    workers.append(_Worker(ctx, tmpdir, spawned))
                    spawned += 1
                for w in workers:
                    if w.task is None and pending:
                        w.send(pending.pop())
                busy = [w for w in workers if w.task is not None]
                ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy],
                             timeout=TICK_S)
                now = time.monotonic()
                for w in busy:
                    result = _collect(w, ready, now, memory_limit_mb)
                    if result is None:
                        continue
                    yield result
                    w.task = None
                    w.done += 1
                    killed = isinstance(
                        result.error, ReplayCrashError | ReplayMemoryError | ReplayTimeoutError)
                    if killed or not w.proc.is_alive():
                        w.kill()
                        workers.remove(w)
                    elif w.done >= RECYCLE_AFTER:  # bound memory fragmentation
                        w.stop()
                        workers.remove(w)
        finally:
            for w in workers:
                w.kill()


def _collect(w: _Worker, ready: list[Any], now: float, limit_mb: float) -> TaskResult | None:
    task = w.task
    assert task is not None
    elapsed = now - w.started
    w.peak_mb = max(w.peak_mb, w.rss_mb())
    if w.conn in ready:
        try:
            msg = w.conn.recv()
        except (EOFError, OSError):
            msg = None
        if msg is not None:
            if msg[0] == "ok":
                return TaskResult(task, msg[1], None, elapsed, w.peak_mb)
            _, kind, message, hint = msg
            return TaskResult(task, None, replay_error(kind, message, hint), elapsed, w.peak_mb)
    name = task.path.name
    if not w.proc.is_alive() or w.proc.sentinel in ready or (w.conn in ready):
        w.proc.join(timeout=1)
        code = w.proc.exitcode
        tail = w.stderr_tail()
        if "memory allocation" in tail or code == -signal.SIGKILL:
            err: ReplayError = ReplayMemoryError(
                f"{name}: the replay engine ran out of memory",
                hint="The file is probably corrupt.")
        else:
            how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
            detail = f": {tail[-160:]}" if tail else ""
            err = ReplayCrashError(f"{name}: the replay engine crashed ({how}){detail}")
        return TaskResult(task, None, err, elapsed, w.peak_mb)
    cpu = w.cpu_s() - w.cpu_started
    if cpu > task.timeout_s or elapsed > task.timeout_s * WALL_FACTOR:
        w.kill()
        spent = (f"{cpu:.0f} s of CPU time" if cpu > task.timeout_s
                 else f"{elapsed:.0f} s without finishing")
        return TaskResult(task, None, ReplayTimeoutError(
            f"{name}: timed out after {spent} (limit {task.timeout_s:.0f} s of CPU)",
            hint="Raise [analysis] timeout_seconds for very long replays; "
                 "a file that always times out is probably corrupt."),
            elapsed, w.peak_mb)
    if limit_mb and w.peak_mb > limit_mb:
        w.kill()
        return TaskResult(task, None, ReplayMemoryError(
            f"{name}: used more than {limit_mb:.0f} MB, stopped",
            hint="The file is probably corrupt; raise [analysis] memory_limit_mb if not."),
            elapsed, w.peak_mb)
    return None


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def timeout_for(size_bytes: int, ceiling_s: float) -> float:
    """About 20x a normal analysis, capped by the configured ceiling."""
    return min(ceiling_s, 15.0 + 10.0 * size_bytes / 1e6)


__all__ = ["Task", "TaskResult", "default_jobs", "run_tasks", "timeout_for"]
