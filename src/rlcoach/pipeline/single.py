"""One replay file to one report dict, in the current process.

Workers call this; nothing else should, because the engine may abort or hang
the process on hostile input (see ``rlcoach.pipeline.pool``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def analyze_file(path: Path, sha256: str | None = None) -> dict[str, Any]:
    """Parse, compute and assemble a schema-valid report (``is_me`` unset)."""
    from rlcoach.analysis.stats import compute_stats
    from rlcoach.replay.engine import engine_version, load_replay
    from rlcoach.report.builder import FileInfo, build_report
    from rlcoach.report.schema import validate_report

    path = Path(path)
    replay = load_replay(path)
    stats = compute_stats(replay)
    info = FileInfo(path.name, path.stat().st_size, sha256 or file_sha256(path))
    report = build_report(
        replay, stats, info, engine={"name": "subtr-actor-py", "version": engine_version()}
    )
    validate_report(report)
    return report
