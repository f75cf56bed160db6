"""Reports that would contradict themselves say so: invariants over every corpus and
replays-wild report, each either holding or named by a specific quality warning."""

from __future__ import annotations

from typing import Any

import pytest

from rlcoach.report.consistency import PARTITIONS  # which stats split a player's time

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

# replays-wild/README.md: file -> the warning its problem must raise now.
EXPECTED = {
    "boxcars-43cb1f6-1afa": "boost-amounts-missing",
    "rattletrap-7ac7617-00df": "boost-amounts-missing",
    "rattletrap-7ca7873-e756": "boost-amounts-missing",
    "boxcars-0757865-7256": "boost-use-missing",
    "rattletrap-ff65e8b-7155": "boost-use-missing",
    "carball-3a4d312-6_BIG_25_SMALL": "goal-events-missing",
    "rattletrap-8291ab0-a676": "goal-events-missing",
    "boxcars-b938a59-possession_rumble": "goal-events-missing",
    "boxcars-5c289ea-8a26": "scoreboard-goals-mismatch",
    "rattletrap-bf54cc3-fdc7": "possession-exceeds-duration",
}




def _codes(report: dict[str, Any]) -> set[str]:
    return {w["code"] for w in report["quality"]["warnings"]}


def _violations(report: dict[str, Any]) -> set[str]:
    """The invariants, computed here independently of rlcoach.report.consistency."""
    players, replay = report["players"], report["replay"]
    score, duration = replay["score"], replay["duration"] or 0
    stat = lambda p, g, k: (p["stats"].get(g) or {}).get(k) or 0  # noqa: E731
    bad = set()
    n_goals = len(report["events"]["goals"])
    if sum(score.values()) and n_goals == 0:
        bad.add("goal-events-missing")
    elif sum(score.values()) != n_goals and sum(score.values()):
        bad.add("goal-events-incomplete")
    for team in ("blue", "orange"):
        if sum(stat(p, "core", "goals") for p in players if p["team"] == team) != score[team]:
            bad.add("scoreboard-goals-mismatch")
    possession = sum(t["stats"]["ball"]["possession_time"] or 0
                     for t in report["teams"].values())
    if possession > duration + 1.0:
        bad.add("possession-exceeds-duration")
    pickups = sum(stat(p, "boost", "count_collected_big")
                  + stat(p, "boost", "count_collected_small") for p in players)
    if pickups and not sum(stat(p, "boost", "amount_collected") for p in players) and any(
            stat(p, "boost", "bpm") for p in players):
        bad.add("boost-amounts-missing")
    spawns = len(report["events"]["kickoffs"]) + 1
    for p in players:  # boost comes from spawns (33 each) or pads: used > 1.25x spawns, none taken
        demos = sum(d["victim"] == p["key"] for d in report["events"]["demolitions"])
        if not stat(p, "boost", "amount_collected") and \
                stat(p, "boost", "bpm") * duration / 60 > 42.5 * (spawns + demos):
            bad.add("boost-amounts-missing")
    if players and duration > 60 and not any(stat(p, "boost", "bpm") for p in players):
        bad.add("boost-use-missing")
    for p in players:
        # Every partition of a player's time fits between his first and last row,
        # and in the match (0.25 s: rounding and the last row's own length).
        present = (p["end_time"] or 0) - (p["start_time"] or 0)
        for group, keys in PARTITIONS:
            if sum(stat(p, group, k) for k in keys) > min(present, duration) + 0.25:
                bad.add("tracked-exceeds-presence")
        if p["name"].strip() in ("", "?") or (p["name"].isdigit() and len(p["name"]) >= 9):
            bad.add("player-name-unresolved")
    return bad


def _check(reports: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    return {name: missing for name, r in reports.items()
            if (missing := _violations(r) - _codes(r))}


def test_wild_reports_name_their_contradictions(wild_outcomes: dict[str, object]) -> None:
    reports = {k: o.report for k, o in wild_outcomes.items()  # type: ignore[attr-defined]
               if o.report is not None}  # type: ignore[attr-defined]
    assert _check(reports) == {}
    assert {k: v for k, v in EXPECTED.items() if v not in _codes(reports[k])} == {}
    # Fixed rather than warned: the renamed player (same Steam id) keeps his row.
    renamed = reports["boxcars-9e442bb-13c2"]
    assert "scoreboard-goals-mismatch" not in _codes(renamed)
    assert "player-renamed" in _codes(renamed)  # and takes the header's name
    # Fixed rather than warned: players who left at a cut in the recording were
    # tracked ~1 s longer than present.
    for stem in ("boxcars-ae3fc43-sonic_spin", "rattletrap-0caeb15-81d1",
                 "subtr-669c43e-gridiron"):
        assert "tracked-exceeds-presence" not in _codes(reports[stem])


def test_corpus_reports_hold_or_say_so(corpus_reports: dict[str, dict]) -> None:
    assert _check(corpus_reports) == {}
