"""Same file, same report: every replays-wild file analyzed in two sets of fresh
worker processes gives identical reports (the engine's hash-seeded choices,
docs/robustness.md, must not leak into them)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.conftest import wild_files

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def test_each_wild_file_gives_the_same_report_in_two_processes(
        wild_outcomes: dict[str, object], tmp_path: Path) -> None:
    from rlcoach.pipeline import analyze_paths

    os.environ["RLCOACH_HOME"] = str(tmp_path / "second")  # rlcoach_home restores it
    second = {o.path.stem: o for o in analyze_paths(wild_files(), jobs=2, use_cache=False)}
    assert set(second) == set(wild_outcomes)
    differ = []
    for stem, first in wild_outcomes.items():
        a, b = first.report, second[stem].report  # type: ignore[attr-defined]
        if json.dumps(a, sort_keys=True) != json.dumps(b, sort_keys=True):
            differ.append(stem)
    assert differ == []
