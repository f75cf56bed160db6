"""Ingest: replay files -> analysis worker pool -> one game per match.

The expensive step is analysis, so everything that can be decided without
it is decided first, from the ``files`` table:

1. a file whose (path, size, mtime) is known is skipped without reading it
   (this is what makes re-ingesting an unchanged folder take a moment);
2. otherwise it is hashed; bytes already stored under another path are a
   ``duplicate`` and bytes that failed before stay ``failed`` (unless
   ``retry_failed``);
3. only what is left goes to ``rlcoach.pipeline.analyze_paths``; each
   outcome is stored in its own transaction as it arrives, so an interrupted
   ingest keeps every finished game and the next run resumes.

A bad file is a ``failed`` row with its reason, never an exception: one
broken replay must not cost the user the other 2,000.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlcoach import paths
from rlcoach.config import Config, load_config
from rlcoach.errors import InputError
from rlcoach.library.db import Library
from rlcoach.library.store import (
    FileInfo,
    add_report,
    by_hash,
    known_files,
    record_failure,
    record_file,
    sha256_file,
)


@dataclass(frozen=True)
class FileResult:
    """What happened to one file in this run."""

    path: Path
    status: str  # ok | duplicate | failed
    game_id: int | None = None
    error_kind: str | None = None
    error: str | None = None
    analyzed: bool = False  # False: decided from the files table alone


@dataclass
class IngestSummary:
    results: list[FileResult] = field(default_factory=list)
    unchanged: int = 0  # known by (path, size, mtime): not even read
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)  # inputs that matched nothing

    def _count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def new(self) -> int:
        return self._count("ok")

    @property
    def duplicate(self) -> int:
        return self._count("duplicate")

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def new_game_ids(self) -> list[int]:
        return [r.game_id for r in self.results if r.status == "ok" and r.game_id is not None]


@dataclass
class Plan:
    """Files to analyze, and what was settled without analysis."""

    to_analyze: list[FileInfo] = field(default_factory=list)
    settled: list[FileResult] = field(default_factory=list)
    unchanged: int = 0
    # sha256 -> further files with the same bytes as one being analyzed.
    copies: dict[str, list[FileInfo]] = field(default_factory=dict)


def default_inputs(config: Config | None = None) -> list[Path]:
    """The configured ``[library] demos_dirs``, else the game's Demos folder."""
    config = config or load_config()
    if config.library.demos_dirs:
        return list(config.library.demos_dirs)
    found = [d for d in paths.default_demos_dirs() if d.is_dir()]
    if not found:
        tried = ", ".join(str(d) for d in paths.default_demos_dirs())
        raise InputError(
            f"no Rocket League Demos folder found (looked in {tried})",
            hint="Pass folders or files (`rlcoach ingest ~/replays`), or set "
                 "demos_dirs under [library] in rlcoach.toml.",
        )
    return found[:1]


def plan(library: Library, replay_paths: Sequence[Path], *, retry_failed: bool = False) -> Plan:
    """Decide per file: skip, settle from the files table, or analyze."""
    by_path = known_files(library)
    hashes = by_hash(by_path)
    out = Plan()
    seen: set[str] = set()
    for path in replay_paths:
        try:
            info = FileInfo.of(path)
        except OSError as exc:  # vanished or unreadable since discovery
            out.settled.append(FileResult(path, "failed", error_kind="unreadable",
                                          error=str(exc.strerror or exc)))
            continue
        if info.path in seen:
            continue
        seen.add(info.path)
        if not Path(info.path).is_file():  # a FIFO would block the hash forever
            out.settled.append(FileResult(path, "failed", error_kind="unreadable",
                                          error="not a regular file"))
            continue
        known = by_path.get(info.path)
        if known and known.size == info.size and known.mtime == info.mtime and not (
            retry_failed and known.status == "failed"
        ):
            out.unchanged += 1
            continue
        try:
            info = FileInfo(info.path, info.size, info.mtime, sha256_file(path))
        except OSError as exc:
            out.settled.append(FileResult(path, "failed", error_kind="unreadable",
                                          error=str(exc.strerror or exc)))
            continue
        assert info.sha256 is not None
        if info.sha256 in out.copies:  # same bytes twice in this batch
            out.copies[info.sha256].append(info)
            continue
        prior = hashes.get(info.sha256)
        if prior and (prior.status != "failed" or not retry_failed):
            if prior.status == "failed":
                kind, error = prior.error_kind or "failed", prior.error or "failed before"
                record_failure(library, info, kind, error)
                out.settled.append(FileResult(path, "failed", error_kind=kind, error=error))
            else:
                # The same path rewritten with the same bytes keeps its status.
                same = known is not None and known.sha256 == info.sha256
                status = known.status if known is not None and same else "duplicate"
                record_file(library, info, status, prior.game_id)
                out.settled.append(FileResult(path, status, game_id=prior.game_id))
            continue
        out.copies[info.sha256] = []
        out.to_analyze.append(info)
    return out


def ingest(
    library: Library,
    inputs: Sequence[str | Path] | None = None,
    *,
    jobs: int | None = None,
    retry_failed: bool = False,
    use_cache: bool = True,
    config: Config | None = None,
    on_plan: Callable[[Plan], None] | None = None,
    on_result: Callable[[FileResult], None] | None = None,
) -> IngestSummary:
    """Ingest replay files and folders (default: the Demos folder).

    ``on_plan`` is told how much will be analyzed (to size a progress bar),
    ``on_result`` hears about every file as it is settled.
    """
    import time

    from rlcoach.pipeline import analyze_paths, discover_replays

    started = time.perf_counter()
    config = config or load_config()
    sources = [str(p) for p in (inputs or default_inputs(config))]
    found: Any = discover_replays(sources)
    # discover_replays reports a missing input as a problem, not an
    # exception, so one typo does not stop the other folders.
    replay_paths = list(getattr(found, "paths", found))
    problems = [getattr(p, "message", str(p)) for p in getattr(found, "problems", [])]
    if problems and not replay_paths:
        raise InputError(problems[0], hint="Pass replay files or folders that contain them.")
    plan_ = plan(library, replay_paths, retry_failed=retry_failed)
    if on_plan:
        on_plan(plan_)
    summary = IngestSummary(unchanged=plan_.unchanged, problems=problems)

    def emit(result: FileResult) -> None:
        summary.results.append(result)
        if on_result:
            on_result(result)

    for result in plan_.settled:
        emit(result)
    pending = {info.path: info for info in plan_.to_analyze}
    if pending:
        outcomes = analyze_paths(
            [Path(p) for p in pending], jobs=jobs or config.analysis.jobs,
            use_cache=use_cache, identity=config.identity,
            timeout_s=config.analysis.timeout_seconds,
            memory_limit_mb=config.analysis.memory_limit_mb,
        )
        for outcome in outcomes:
            info = pending.pop(str(Path(outcome.path).resolve()), None)
            if info is None:  # not a path we asked for; cannot happen
                continue
            result = store_outcome(library, info, outcome.report, outcome.error)
            emit(result)
            for copy in plan_.copies.get(info.sha256 or "", []):
                if result.status == "failed":
                    record_failure(library, copy, result.error_kind or "failed",
                                   result.error or "")
                    emit(FileResult(Path(copy.path), "failed", error_kind=result.error_kind,
                                    error=result.error))
                else:
                    record_file(library, copy, "duplicate", result.game_id)
                    emit(FileResult(Path(copy.path), "duplicate", game_id=result.game_id))
    summary.seconds = time.perf_counter() - started
    return summary


def store_outcome(library: Library, info: FileInfo, report: dict | None,
                  error: Exception | None) -> FileResult:
    """Store one analysis outcome; never raises for a bad replay."""
    path = Path(info.path)
    if report is None:
        kind = getattr(error, "kind", "failed")
        message = getattr(error, "message", None) or str(error) or "analysis failed"
        record_failure(library, info, kind, message)
        return FileResult(path, "failed", error_kind=kind, error=message, analyzed=True)
    from sqlalchemy.exc import DataError, IntegrityError

    try:
        status, game_id = add_report(library, report, info)
    except (KeyError, TypeError, ValueError, IntegrityError, DataError) as exc:
        # A report the store cannot read is a bug upstream, but it must not
        # abort the batch: record it like any other failure (listed, and
        # retried by --retry-failed once fixed). The transaction was rolled back.
        detail = " ".join(str(getattr(exc, "orig", None) or exc).split())
        message = f"report not storable: {type(exc).__name__}: {detail[:200]}"
        record_failure(library, info, "unstorable", message)
        return FileResult(path, "failed", error_kind="unstorable", error=message, analyzed=True)
    return FileResult(path, status, game_id=game_id, analyzed=True)

