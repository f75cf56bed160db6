"""Same file, same report: every replays-wild file analyzed in two sets of fresh
worker processes gives identical reports (the engine's hash-seeded choices,
docs/robustness.md, must not leak into them)."""

from __future__ import annotations

import json

import pytest

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def test_each_wild_file_gives_the_same_report_in_two_processes(
        wild_outcomes: dict[str, object], wild_outcomes_again: dict[str, object]) -> None:
    assert set(wild_outcomes_again) == set(wild_outcomes)
    differ = []
    for stem, first in wild_outcomes.items():
        a, b = first.report, wild_outcomes_again[stem].report  # type: ignore[attr-defined]
        if json.dumps(a, sort_keys=True) != json.dumps(b, sort_keys=True):
            errors = (first.error, wild_outcomes_again[stem].error)  # type: ignore[attr-defined]
            differ.append((stem, *(str(e) for e in errors if e)))
    assert differ == []
