"""The shot and xG insight rules on real reports (the goldens), table-driven.

Each case takes a golden report, sets one player's metric (and what the
rule's support reads) to a value, and says whether the rule must fire for
that player. The lobby, the moments and the other players are the real
report's; every finding is then checked against the report it came from.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from rlcoach.report import insights as ins

GOLDENS = Path(__file__).resolve().parents[2] / "goldens"
STEMS = ("post-eac-ranked-duel-2026-04-28-a", "recent-ranked-doubles-2026-03-10",
         "recent-ranked-standard-2026-03-10-a")
SHOT_RULES = ("finishing", "shot-quality", "chances-conceded")


@cache
def _golden(stem: str) -> str:
    return (GOLDENS / f"{stem}.json").read_text(encoding="utf-8")


def golden(stem: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(_golden(stem))
    return report


def _busiest_shooter(report: dict[str, Any]) -> dict[str, Any]:
    """The player with most shots (ties: the first), so moments exist to pick."""
    return max(report["players"], key=lambda p: p["stats"]["shooting"]["shots"])


def _lobby_median(report: dict[str, Any], key: str, qualified: str) -> float:
    group, metric = qualified.split(".")
    others = [p["stats"][group][metric] for p in report["players"]
              if p["key"] != key and not p["is_bot"]]
    base = ins.summarize(others, "lobby", "")
    assert base is not None
    return base.value


def _set(player: dict[str, Any], qualified: str, value: float) -> None:
    group, metric = qualified.split(".")
    player["stats"][group][metric] = value


# (golden, rule, how far from the lobby median the value is set, in spreads of the
# rule's floor, the support value, fires?)
CASES = [
    ("recent-ranked-standard-2026-03-10-a", "finishing", 3.0, 2.0, True),
    ("recent-ranked-standard-2026-03-10-a", "finishing", 0.5, 2.0, False),  # within a spread
    ("recent-ranked-standard-2026-03-10-a", "finishing", 3.0, 0.5, False),  # under 1 xG
    ("recent-ranked-doubles-2026-03-10", "shot-quality", 3.0, 6, True),
    ("recent-ranked-doubles-2026-03-10", "shot-quality", 3.0, 3, False),  # under 4 shots
    ("recent-ranked-doubles-2026-03-10", "shot-quality", -3.0, 6, False),  # better than lobby
    ("post-eac-ranked-duel-2026-04-28-a", "chances-conceded", 3.0, 4, True),
    ("post-eac-ranked-duel-2026-04-28-a", "chances-conceded", 3.0, 1, False),  # 1 shot
    ("recent-ranked-doubles-2026-03-10", "chances-conceded", 0.8, 4, False),
]


@pytest.mark.parametrize(("stem", "rule_id", "spreads", "support", "fires"), CASES)
def test_rule_fires_only_on_a_real_gap_with_support(stem, rule_id, spreads, support,
                                                    fires) -> None:
    report = copy.deepcopy(golden(stem))
    rule = ins.BY_ID[rule_id]
    me = _busiest_shooter(report)
    base = _lobby_median(report, me["key"], rule.metric)
    metric = ins.BY_QUALIFIED[rule.metric]
    worse = -1.0 if metric.direction == "higher" else 1.0
    floor = ins.SPREAD_FLOOR[metric.unit]
    spread = max(floor, ins.summarize(
        [ins._stat(p["stats"], rule.metric) or 0.0 for p in report["players"]
         if p["key"] != me["key"]], "lobby", "").spread or 0.0)
    _set(me, rule.metric, base + worse * spreads * spread)
    _set(me, rule.support[0], support)
    found = [f for f in ins.game_insights(report)
             if f["id"] == rule_id and f["player"] == me["key"]]
    assert bool(found) == fires
    if fires:
        assert found[0]["effect"] == pytest.approx(spreads, abs=0.02)


@pytest.mark.parametrize("stem", STEMS)
def test_shot_findings_rest_on_the_report(stem) -> None:
    report = golden(stem)
    shots = report["coaching"]["shots"]
    for f in (f for f in report["insights"] if f["id"] in SHOT_RULES):
        player = next(p for p in report["players"] if p["key"] == f["player"])
        assert f["value"] == pytest.approx(ins._stat(player["stats"], f["metric"]), abs=0.01)
        assert f["n_games"] == 1 and f["effect"] > ins.MIN_EFFECT and f["practice"]
        field = "conceded_by" if f["id"] == "chances-conceded" else "player"
        mine = {s["time"] for s in shots if s.get(field) == f["player"]}
        assert 1 <= len(f["moments"]) <= ins.MAX_MOMENTS
        assert {m["time"] for m in f["moments"]} <= mine
        assert all(m["clock"] for m in f["moments"])  # the game clock to rewatch at


def test_every_shot_rule_fires_somewhere_in_the_goldens() -> None:
    fired = {f["id"] for stem in STEMS for f in golden(stem)["insights"]}
    assert set(SHOT_RULES) <= fired


@pytest.mark.parametrize("stem", STEMS)
def test_chances_conceded_sums_the_shots_charged(stem) -> None:
    report = golden(stem)
    for p in report["players"]:
        charged = [s for s in report["coaching"]["shots"] if s["conceded_by"] == p["key"]]
        assert all(s["team"] != p["team"] for s in charged)
        assert p["stats"]["chances"]["shots_conceded"] == len(charged)
        assert p["stats"]["chances"]["xg_conceded"] == pytest.approx(
            sum(s["xg"] for s in charged), abs=0.01)


def test_missed_chances_are_the_best_misses_first() -> None:
    report = golden("recent-ranked-standard-2026-03-10-a")
    me = _busiest_shooter(report)
    moments = ins.BY_ID["finishing"].moments(report, me["key"])
    misses = sorted((s["xg"] for s in report["coaching"]["shots"]
                     if s["player"] == me["key"] and not s["goal"]), reverse=True)
    assert len(moments) == len(misses)
    assert moments[0]["what"].startswith(f"missed a {100 * misses[0]:.0f}% chance")
