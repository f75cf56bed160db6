"""Replays analyzed at most once per test session, whichever fixture asks first,
and started in the background as soon as the session knows it will need them.

Analysis is the suite's largest cost (about 2.5 s of CPU per corpus replay,
mostly the engine), and while the first corpus test waited for it the rest
of the suite stood still. So once collection shows which replays the chosen
tests need (``prefetch``), a background thread analyzes them in two worker
processes at the lowest CPU priority: on CI's two cores they use what the
tests leave idle, and a test that needs a report it does not have yet waits
for it (the workers then get the whole machine). The corpus tests are ordered
last (``tests/conftest.py``) to give them that time.

The background thread talks to the worker pool directly (``run_tasks``), not
through ``analyze_paths``: that reads and writes the cache under whatever
``RLCOACH_HOME`` the test running at that moment has set. Workers are spawned
from the niced thread, so they inherit its priority (Linux sets nice per thread).

A module of its own, always imported as ``tests.analyzed``: pytest imports
``conftest.py`` under another name than ``tests.conftest``, so a memo kept
there would exist twice.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

# Small files, one of them twice (byte-identical copies of one match): the
# library and CLI tests' sample.
SAMPLE = (
    "boost-into-ball-misclassification-2026-06-11.replay",
    "replay-format-2026-06-02-v868-32-net11-worldcup-ball.replay",
    "post-eac-ranked-duel-2026-04-28-a.replay",
    "post-eac-ranked-duel-2026-04-28-b.replay",
    "recent-ranked-doubles-2026-03-10.replay",
)

Key = tuple[Path, int]  # resolved path, analysis round (the determinism test wants two)
_ANALYZED: dict[Key, object] = {}  # -> pipeline Outcome
_GROUPS: list[list[Key]] = []  # asked for in the background, in order, not yet started
_STARTED: set[Key] = set()  # queued or running
_DONE = threading.Condition()
_FAILED: list[BaseException] = []
_RUNNING = False  # the background thread is alive (changed under _DONE only)
_STOP = threading.Event()


def _key(path: Path, round_: int) -> Key:
    return (path.resolve(), round_)


def prefetch(files: list[Path], round_: int = 0) -> None:
    """Queue ``files`` for background analysis (those not done or queued yet).

    Each call is a group, analyzed after the groups queued before it, in its own
    worker processes: a file's second round never runs where its first did.
    """
    global _RUNNING
    with _DONE:
        todo = [k for f in files if (k := _key(f, round_)) not in _STARTED]
        if todo:
            _GROUPS.append(todo)
            _STARTED.update(todo)
        if _GROUPS and not _RUNNING and not _STOP.is_set():
            _RUNNING = True
            threading.Thread(target=_background, name="prefetch", daemon=True).start()


def _background() -> None:
    global _RUNNING
    with contextlib.suppress(OSError):
        os.nice(19)  # this thread only, and the workers it spawns
    _BACKGROUND_TID[:] = [threading.get_native_id()]
    while True:
        with _DONE:
            if not _GROUPS or _STOP.is_set() or _FAILED:
                _RUNNING = False
                _DONE.notify_all()
                _say_idle()
                return
            group = _GROUPS.pop(0)
        try:
            _run(group)
        except BaseException as exc:
            with _DONE:
                _FAILED.append(exc)
                _DONE.notify_all()


def _run(keys: list[Key]) -> None:
    from rlcoach.pipeline import Outcome
    from rlcoach.pipeline.pool import Task, run_tasks, timeout_for
    from rlcoach.pipeline.single import file_sha256

    rounds = {}
    for path, round_ in keys:
        size = path.stat().st_size
        # 4x the product's CPU limit: the pool's wall-clock backstop is 10x the
        # limit, and a niced worker can wait long for CPU behind the tests.
        rounds[Task(path, file_sha256(path), 4 * timeout_for(size, 120.0), size)] = round_
    # Largest first, as analyze_paths does: a big replay last would idle a worker.
    results = run_tasks(sorted(rounds, key=lambda t: t.size, reverse=True), 2, 3072.0)
    try:
        for r in results:
            with _DONE:
                _ANALYZED[(r.task.path, rounds[r.task])] = Outcome(
                    r.task.path, r.report, r.error, seconds=r.seconds,
                    peak_rss_mb=r.peak_rss_mb)
                _DONE.notify_all()
            if _STOP.is_set():
                return
    finally:
        results.close()  # stops the workers


def analyze_once(files: list[Path], home: Path | None = None,
                 round_: int = 0) -> dict[str, object]:
    """Outcomes of ``files`` (by stem), analyzing only those not seen this session.

    Replays the background has not started yet are taken from its queue and
    analyzed here, at normal priority; those it is analyzing are waited for.
    ``home`` is kept for callers: the analysis reads no configuration or cache.
    """
    keys = [_key(f, round_) for f in files]
    with _DONE:
        mine = [k for k in dict.fromkeys(keys) if k not in _STARTED]
        for group in _GROUPS:
            mine += [k for k in group if k in keys]
            group[:] = [k for k in group if k not in keys]
        _GROUPS[:] = [g for g in _GROUPS if g]
        _STARTED.update(mine)
    if mine:
        _run(mine)
    with _DONE:
        if not all(k in _ANALYZED for k in keys):
            _unnice()  # a test waits on them now: full priority
        while not all(k in _ANALYZED for k in keys):
            if _FAILED:
                raise RuntimeError("background analysis failed") from _FAILED[0]
            if not _RUNNING:
                raise RuntimeError("background analysis stopped before "
                                   f"{sum(k not in _ANALYZED for k in keys)} replays")
            _DONE.wait(timeout=1.0)
    return {f.stem: _ANALYZED[k] for f, k in zip(files, keys, strict=True)}


_BACKGROUND_TID: list[int] = []


def _say_idle() -> None:
    """Create the file ``RLCOACH_TESTS_IDLE_FLAG`` names, if set: the background
    analysis is over and one core stands idle from here on (``.ci/suites`` starts
    the server suite then)."""
    if flag := os.environ.get("RLCOACH_TESTS_IDLE_FLAG"):
        with contextlib.suppress(OSError):
            Path(flag).touch()


def _unnice() -> None:
    """Back to normal priority for the background thread and its workers (where
    the OS lets us raise priority again: root, or CAP_SYS_NICE)."""
    import psutil

    targets = [p.pid for p in psutil.Process().children(recursive=True)] + _BACKGROUND_TID
    for pid in targets:
        with contextlib.suppress(OSError):
            if os.getpriority(os.PRIO_PROCESS, pid) > 0:
                os.setpriority(os.PRIO_PROCESS, pid, 0)


def stop() -> None:
    """End of session: the background thread quits after its current replay."""
    _STOP.set()
    with _DONE:
        _GROUPS.clear()


def analyzed_count() -> int:
    return len({path for path, _ in _ANALYZED})
