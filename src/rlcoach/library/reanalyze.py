"""Re-analysis of stored games whose report predates this rlcoach's report version.

A game's report is stale when its ``schema_version`` (major.minor) is older
than ``rlcoach.report.builder.SCHEMA_VERSION``: it lacks metrics or sections
added since (coaching groups, insights). ``reanalyze`` finds each stale
game's replay through the ``files`` table (any recorded path that still
exists), analyzes those through the usual worker pool and swaps each game's
players, metric values and report in one transaction per game
(``store.replace_report``), so an interrupted run keeps what it finished.
A game whose replay is gone keeps its old report and is listed as missing;
a replay that now fails keeps its old report too and is listed as failed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from rlcoach.config import Config, load_config
from rlcoach.library.db import Library
from rlcoach.library.schema import files, games
from rlcoach.library.store import replace_report
from rlcoach.report.builder import SCHEMA_VERSION


@dataclass(frozen=True)
class StaleGame:
    game_id: int
    schema_version: str | None
    path: Path | None  # None: no recorded replay file exists any more


@dataclass
class ReanalyzeSummary:
    updated: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)  # (game id, reason)
    current: str = SCHEMA_VERSION


def version_tuple(version: str | None) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in (version or "0").split("."))
    except ValueError:
        return (0,)


def stale_games(library: Library, current: str = SCHEMA_VERSION) -> list[StaleGame]:
    """Games analyzed by an older report version, each with a replay path if one exists."""
    want = version_tuple(current)
    with library.connect() as conn:
        versions = conn.execute(select(games.c.id, games.c.schema_version)).tuples().all()
        stale = {gid: v for gid, v in versions if version_tuple(v) < want}
        paths: dict[int, list[str]] = {}
        for gid, path in conn.execute(select(files.c.game_id, files.c.path)
                                      .where(files.c.game_id.is_not(None))
                                      .order_by(files.c.id)):
            if gid in stale:
                paths.setdefault(gid, []).append(path)
    out = []
    for gid, version in sorted(stale.items()):
        found = next((Path(p) for p in paths.get(gid, []) if Path(p).is_file()), None)
        out.append(StaleGame(gid, version, found))
    return out


def reanalyze(library: Library, *, jobs: int | None = None, use_cache: bool = True,
              config: Config | None = None, on_plan: Callable[[int], None] | None = None,
              on_result: Callable[[int], None] | None = None) -> ReanalyzeSummary:
    """Re-analyze every stale game; ``on_plan`` hears the total, ``on_result`` each game id."""
    from rlcoach.pipeline import analyze_paths

    config = config or load_config()
    stale = stale_games(library)
    summary = ReanalyzeSummary(missing=[g.game_id for g in stale if g.path is None])
    todo = {str(g.path.resolve()): g.game_id for g in stale if g.path is not None}
    if on_plan:
        on_plan(len(todo))
    if not todo:
        return summary
    outcomes = analyze_paths([Path(p) for p in todo], jobs=jobs or config.analysis.jobs,
                             use_cache=use_cache, identity=config.identity,
                             timeout_s=config.analysis.timeout_seconds,
                             memory_limit_mb=config.analysis.memory_limit_mb)
    for outcome in outcomes:
        game_id = todo.get(str(Path(outcome.path).resolve()))
        if game_id is None:
            continue
        if outcome.report is None:
            reason = getattr(outcome.error, "message", None) or str(outcome.error)
            summary.failed.append((game_id, reason))
        else:
            replace_report(library, game_id, outcome.report)
            summary.updated.append(game_id)
        if on_result:
            on_result(game_id)
    return summary
