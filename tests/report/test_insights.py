"""Insights on hand-made reports: thresholds, baselines, moments, ranking."""

from __future__ import annotations

import pytest

from rlcoach.report import insights as ins
from rlcoach.report.markdown import render_markdown


def _player(key: str, team: str, *, double_commits: int = 0, starved_pct: float = 5.0,
            starved_s: float = 20.0, kick_taken: int = 0, kick_won: int = 0,
            live_s: float = 240.0, bot: bool = False) -> dict:
    return {
        "key": key, "name": key.upper(), "team": team, "is_me": False, "is_bot": bot,
        "stats": {
            "rotation": {"time_first_man": live_s / 2, "time_second_man": live_s / 2,
                         "time_third_man": 0.0, "double_commits": double_commits,
                         "last_man_overcommits": 0, "goals_conceded_caught_ahead": 0},
            "boost_management": {"percent_starved": starved_pct, "time_starved": starved_s,
                                 "percent_overfill": 10.0},
            "boost": {"count_collected_big": 5},
            "kickoffs": {"taken": kick_taken, "won": kick_won,
                         "win_pct": 100.0 * kick_won / kick_taken if kick_taken else 0.0},
        },
    }


def _report(players: list[dict], commits: list[dict] | None = None) -> dict:
    return {
        "players": players, "events": {"boost_pickups": []},
        "coaching": {"rotation": {"double_commits": commits or [], "overcommits": []},
                     "goals_conceded": [], "boost_management": {"starved": []}, "kickoffs": []},
    }


def _lobby(**me: object) -> list[dict]:
    return [_player("me", "blue", **me), _player("mate", "blue", double_commits=1),
            _player("opp1", "orange", double_commits=1), _player("opp2", "orange")]


@pytest.mark.parametrize(
    ("me", "expected_ids"),
    [
        ({"double_commits": 6}, ["double-commits"]),  # 6 vs a lobby median of 1
        ({"double_commits": 1}, []),  # below the rule's minimum (2)
        ({"double_commits": 2}, []),  # at the minimum but within the lobby's spread
        ({"starved_pct": 30.0, "starved_s": 70.0}, ["boost-starved"]),  # 30% vs 5%
        ({"starved_pct": 30.0, "starved_s": 5.0}, []),  # too little starved time to judge
        ({"double_commits": 6, "live_s": 30.0}, []),  # under a minute on the pitch
    ],
)
def test_findings_need_support_and_a_real_gap(me, expected_ids) -> None:
    found = ins.game_insights(_report(_lobby(**me)))
    assert [f["id"] for f in found if f["player"] == "me"] == expected_ids


def test_a_finding_carries_its_evidence() -> None:
    commits = [{"time": 10.0 * k, "clock": None, "players": ["me", "mate"], "confidence": 0.8}
               for k in range(1, 8)]
    (f,) = ins.game_insights(_report(_lobby(double_commits=7), commits))
    assert f["claim"].startswith("ME double committed with a teammate 7 times")
    assert "the lobby's median was 1" in f["claim"]
    assert f["baseline"] == {"kind": "lobby", "value": 1.0, "spread": 0.0, "n": 3,
                             "source": "the other players in this game"}
    assert f["effect"] == pytest.approx(6.0)  # (7 - 1) / max(MAD 0, floor 1, sqrt 1)
    assert f["severity"] == "high" and f["n_games"] == 1
    assert len(f["moments"]) == ins.MAX_MOMENTS
    assert f["moments"][0] == {"time": 10.0, "clock": None, "what": "double commit with MATE"}
    assert f["practice"]


def test_bots_are_not_judged_nor_a_baseline() -> None:
    players = _lobby(double_commits=6)
    players[1]["is_bot"] = players[2]["is_bot"] = True  # the two 1s leave the lobby
    found = ins.game_insights(_report(players))
    assert {f["player"] for f in found} == {"me"}
    assert found[0]["baseline"]["n"] == 1


def test_kickoffs_gate_on_sample_size_and_dossier_says_so() -> None:
    players = _lobby(kick_taken=3, kick_won=0)
    for p in players[1:]:
        p["stats"]["kickoffs"] = {"taken": 4, "won": 3, "win_pct": 75.0}
    report = _report(players)
    assert not [f for f in ins.game_insights(report) if f["player"] == "me"]
    assert ins.too_little_data(report, "me") == ["kickoffs-lost"]
    players[0]["stats"]["kickoffs"] = {"taken": 5, "won": 0, "win_pct": 0.0}
    (f,) = [f for f in ins.game_insights(report) if f["player"] == "me"]
    assert f["claim"].startswith("ME won 0% of the kickoffs taken (0 of 5)")


@pytest.mark.parametrize(
    ("metric", "value", "base", "spread", "expected"),
    [
        ("rotation.double_commits", 9, 4, None, 2.5),  # count: floor sqrt(4) = 2
        ("boost_management.percent_starved", 30, 10, 4.0, 4.0),  # % floor 5 beats MAD 4
        ("boost_management.percent_starved", 30, 10, 8.0, 2.5),  # MAD above the floor
        ("kickoffs.win_pct", 20, 50, 10.0, 3.0),  # higher is better: a lower value is worse
        ("kickoffs.win_pct", 80, 50, 10.0, -3.0),  # better than the baseline: negative
    ],
)
def test_effect_size(metric, value, base, spread, expected) -> None:
    b = ins.Baseline("lobby", base, spread, 3, "x")
    assert ins.effect_size(metric, value, b) == pytest.approx(expected)


def test_ranking_is_severity_then_effect() -> None:
    fs = [{"id": "a", "severity": "low", "effect": 0.9},
          {"id": "b", "severity": "high", "effect": 2.1},
          {"id": "c", "severity": "high", "effect": 3.0}]
    assert [f["id"] for f in ins.rank_findings(fs)] == ["c", "b", "a"]


def test_rank_baseline_names_its_source_and_caveat() -> None:
    b = ins.rank_baseline("boost.bpm", 300.0)
    assert b is not None and b.kind == "rank"
    assert "Gold" in b.source and "pre-2023" in b.source


def test_dossier_opens_with_my_findings(corpus_reports) -> None:
    report = corpus_reports["recent-ranked-standard-2026-03-10-a"]
    assert report["insights"], "a 3v3 of five minutes has something to say"
    md = render_markdown(report)
    assert md.index("## Top findings") < md.index("## Teams")
    first = report["insights"][0]
    mine = {**report, "players": [{**p, "is_me": p["key"] == first["player"]}
                                  for p in report["players"]]}
    top = render_markdown(mine).split("## Teams")[0]
    assert first["claim"] in top
    others = {f["claim"] for f in report["insights"] if f["player"] != first["player"]}
    assert not any(c in top for c in others)
