"""Ballchasing parity on every reference in ../shared/ballchasing.

The floors are what the stats reach today (94.4%, lowest replay 92.6%), so a
regression fails; issue 9's goal (90% overall, 85% per replay) is met (see
docs/parity.md for the rules and the fields that are still off).
"""

from __future__ import annotations

import json

import pytest
from tests.conftest import SHARED

from rlcoach.report.parity import Summary, compare, players_from_csv, players_from_json, within

# Floors: what the definitions reach today (measured, rounded down), so a
# regression fails. Issue 9 asked for 90% overall and 85% per replay.
PARITY_FLOOR = 0.942
PER_REPLAY_FLOOR = 0.924


def _references():
    refs = {}
    for ref in sorted((SHARED / "ballchasing").glob("*")):
        if ref.name.endswith(".players.csv"):
            refs[ref.name[: -len(".players.csv")]] = players_from_csv(ref.read_text())
        elif ref.suffix == ".json":
            refs[ref.stem] = players_from_json(json.loads(ref.read_text()))
    return refs


def test_parity_with_ballchasing(corpus_reports) -> None:
    refs = _references()
    assert len(refs) == 6
    summary = Summary()
    for stem, players in refs.items():
        one = Summary()
        one.checks += compare(corpus_reports[stem], players, stem)
        print(f"parity {stem}: {one.hits}/{one.n} = {100 * one.rate:.1f}%")
        assert one.rate >= PER_REPLAY_FLOOR, (stem, f"{one.hits}/{one.n}")
        summary.checks += one.checks
    assert summary.n > 2000
    assert summary.rate >= PARITY_FLOOR, f"{summary.hits}/{summary.n}"
    exact = ("core.goals", "core.saves", "core.shots", "core.score", "demo.inflicted",
             "demo.taken", "movement.total_distance")
    for field in exact:
        row = summary.by_field[field]
        assert row.hits == row.n, field


@pytest.mark.parametrize(
    ("field", "ours", "theirs", "ok"),
    [
        ("core.goals", 3, 4, True), ("core.goals", 2, 4, False),
        ("movement.time_ground", 100.9, 100, True), ("movement.time_ground", 299, 285.5, True),
        ("movement.time_ground", 300, 280, False), ("boost.avg_amount", 50.9, 50, True),
        ("boost.avg_amount", 52.7, 50, False),
        ("movement.avg_powerslide_duration", 0.12, 0.1, True),
        ("movement.avg_powerslide_duration", 0.2, 0.1, False), ("boost.bpm", 404, 400, True),
    ],
)
def test_tolerance_rules(field: str, ours: float, theirs: float, ok: bool) -> None:
    assert within(field, ours, theirs) is ok


def test_a_missing_field_is_a_miss() -> None:
    from rlcoach.report.parity import RefPlayer

    report = {"players": [{"name": "a", "id": "1", "stats": {"core": {}}}]}
    checks = compare(report, [RefPlayer("a", "steam", "1", {"core.goals": 1.0})])
    assert [c.ok for c in checks] == [False]
