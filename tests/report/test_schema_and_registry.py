"""The report contract: schema file in sync, every report valid, registry == reports."""

from __future__ import annotations

import json

import pytest

from rlcoach.report.registry import (
    ALL_GROUPS,
    GROUPS,
    METRICS,
    TEAM_SUMMED_KEYS,
    metric,
    metrics_in,
)
from rlcoach.report.schema import InvalidReportError, build_schema, shipped_schema, validate_report


def test_shipped_schema_matches_the_registry() -> None:
    assert shipped_schema() == json.loads(json.dumps(build_schema())), (
        "regenerate: python -m rlcoach.report.schema > src/rlcoach/report/report-v1.schema.json")


def test_every_corpus_replay_analyzes_or_fails_cleanly(corpus_outcomes) -> None:
    assert len(corpus_outcomes) == 47  # 46 matches: two files are byte-identical copies
    for name, outcome in corpus_outcomes.items():
        if outcome.report is None:
            assert outcome.error.kind in ("unsupported", "corrupt"), (name, outcome.error)
            assert "\n" not in outcome.error.message
    assert sum(o.report is not None for o in corpus_outcomes.values()) == 47


def test_every_report_validates(corpus_reports) -> None:
    for name, report in corpus_reports.items():
        validate_report(report)  # raises with the failing path
        assert report["schema_version"].startswith("1."), name


def test_player_stats_match_the_registry_exactly(corpus_reports) -> None:
    for report in corpus_reports.values():
        for player in report["players"]:
            assert set(player["stats"]) == set(ALL_GROUPS)
            for group in ALL_GROUPS:
                assert set(player["stats"][group]) == {m.key for m in metrics_in(group)}


def test_team_stats_are_sums_of_players(corpus_reports) -> None:
    report = corpus_reports["recent-ranked-doubles-2026-03-10"]
    for team in ("blue", "orange"):
        members = [p for p in report["players"] if p["team"] == team]
        for q in TEAM_SUMMED_KEYS:
            group, key = q.split(".")
            total = sum(p["stats"][group][key] for p in members)
            assert report["teams"][team]["stats"][group][key] == pytest.approx(total, abs=1.0), q


def test_validation_rejects_a_broken_report(corpus_reports) -> None:
    report = json.loads(json.dumps(corpus_reports["0925"]))
    del report["players"][0]["stats"]["boost"]["bpm"]
    with pytest.raises(InvalidReportError, match="bpm"):
        validate_report(report)


@pytest.mark.parametrize("m", METRICS, ids=lambda m: m.qualified)
def test_every_metric_is_fully_defined(m) -> None:
    assert m.label and m.definition.endswith(".") and m.direction in ("higher", "lower", "neutral")
    assert metric(m.qualified) is m


def test_unknown_metric_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        metric("nope")


def test_a_report_from_before_coaching_still_validates(corpus_reports) -> None:
    """1.0 reports have no coaching section and no coaching stat groups."""
    report = json.loads(json.dumps(corpus_reports["0925"]))
    report["schema_version"] = "1.0"
    del report["coaching"]
    for player in report["players"]:
        player["stats"] = {g: player["stats"][g] for g in GROUPS}
    validate_report(report)
