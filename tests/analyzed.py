"""Replays analyzed at most once per test session, whichever fixture asks first.

A module of its own, always imported as ``tests.analyzed``: pytest imports
``conftest.py`` under another name than ``tests.conftest``, so a memo kept
there would exist twice.
"""

from __future__ import annotations

import os
from pathlib import Path

_ANALYZED: dict[Path, object] = {}  # resolved path -> pipeline outcome


def analyze_once(files: list[Path], home: Path) -> dict[str, object]:
    """Outcomes of ``files`` (by stem), analyzing only those not seen this session."""
    from rlcoach.pipeline import analyze_paths

    todo = [f for f in files if f.resolve() not in _ANALYZED]
    if todo:
        old = os.environ.get("RLCOACH_HOME")
        os.environ["RLCOACH_HOME"] = str(home)
        try:
            for outcome in analyze_paths(todo, jobs=2, use_cache=False):
                _ANALYZED[Path(outcome.path).resolve()] = outcome
        finally:
            if old is None:
                os.environ.pop("RLCOACH_HOME", None)
            else:
                os.environ["RLCOACH_HOME"] = old
    return {f.stem: _ANALYZED[f.resolve()] for f in files}


def analyzed_count() -> int:
    return len(_ANALYZED)
