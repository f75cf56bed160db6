"""Replays in, reports out: discovery, caching and supervised analysis.

``analyze_paths`` is what the CLI, the library and the dashboard call. It
serves unchanged files from the cache without starting a worker, runs the
rest in worker processes (``pool``) and yields an ``Outcome`` per file as
each finishes; a bad file is an outcome with an error, never an exception.
"""

from __future__ import annotations

import glob
import os
import time
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlcoach.config import Identity
from rlcoach.errors import InputError, ReplayError
from rlcoach.pipeline import cache
from rlcoach.pipeline.pool import Task, default_jobs, run_tasks, timeout_for
from rlcoach.pipeline.single import file_sha256

REPLAY_SUFFIX = ".replay"


@dataclass
class Outcome:
    path: Path
    report: dict[str, Any] | None = None
    error: ReplayError | None = None
    cached: bool = False
    seconds: float = 0.0
    peak_rss_mb: float = 0.0

    @property
    def ok(self) -> bool:
        return self.report is not None


@dataclass
class Discovery:
    paths: list[Path] = field(default_factory=list)
    problems: list[InputError] = field(default_factory=list)


def discover_replays(inputs: Iterable[str | os.PathLike[str]]) -> Discovery:
    """Files as given, folders searched for *.replay, globs expanded.

    A missing input is a problem for that input only; callers report it and
    carry on with the rest.
    """
    found: dict[Path, None] = {}
    out = Discovery()
    for raw in inputs:
        text = os.path.expanduser(os.fspath(raw))
        path = Path(text)
        if path.is_dir():
            matches = sorted(p for p in path.rglob(f"*{REPLAY_SUFFIX}") if p.is_file())
            if not matches:
                out.problems.append(InputError(f"{path}: no .replay files in this folder"))
            found.update(dict.fromkeys(matches))
        elif path.exists():
            found[path] = None
        elif glob.has_magic(text):
            matches = sorted(Path(p) for p in glob.glob(text, recursive=True))
            files = [p for p in matches if p.is_file()]
            if not files:
                out.problems.append(InputError(f"{text}: no files match"))
            found.update(dict.fromkeys(files))
        else:
            out.problems.append(InputError(f"{path}: no such file or folder"))
    out.paths = list(found)
    return out


def engine_key() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("subtr-actor-py")
    except PackageNotFoundError:
        return "unknown"


def apply_identity(report: dict[str, Any], identity: Identity | None) -> dict[str, Any]:
    for p in report.get("players", []):
        p["is_me"] = identity is not None and identity.matches(
            p.get("platform"), p.get("id"), p.get("name"))
    return report


def analyze_paths(
    paths: Iterable[Path],
    *,
    jobs: int | None = None,
    use_cache: bool = True,
    identity: Identity | None = None,
    timeout_s: float = 120.0,
    memory_limit_mb: float = 3072.0,
) -> Generator[Outcome, None, None]:
    engine = engine_key()
    tasks: list[Task] = []
    for path in paths:
        started = time.perf_counter()
        try:
            st = path.stat()
            if not path.is_file():
                raise InputError(f"{path}: not a regular file")
            sha = file_sha256(path)
        except InputError as exc:
            yield Outcome(path, error=ReplayError(exc.message))
            continue
        except OSError as exc:
            yield Outcome(path, error=ReplayError(f"{path}: cannot read: {exc.strerror}"))
            continue
        if use_cache and (hit := cache.load(sha, engine)) is not None:
            yield Outcome(path, apply_identity(hit, identity), cached=True,
                          seconds=time.perf_counter() - started)
            continue
        tasks.append(Task(path, sha, timeout_for(st.st_size, timeout_s), st.st_size))
    # Largest first: a big replay started last would leave the other workers idle.
    tasks.sort(key=lambda t: t.size, reverse=True)
    n_jobs = max(1, min(jobs or default_jobs(), len(tasks) or 1))
    for result in run_tasks(tasks, n_jobs, memory_limit_mb):
        if result.report is not None:  # --no-cache skips reading, and refreshes the entry
            cache.store(result.task.sha256, engine, result.report)
        yield Outcome(
            result.task.path,
            apply_identity(result.report, identity) if result.report is not None else None,
            result.error, seconds=result.seconds, peak_rss_mb=result.peak_rss_mb,
        )
