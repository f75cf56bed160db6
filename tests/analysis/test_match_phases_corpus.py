"""Match phases on every corpus replay: a kickoff at the start of play and
after every goal that play resumed from, or a quality flag saying why not."""

from __future__ import annotations

from itertools import pairwise


def test_every_replay_has_its_kickoffs_or_says_why(corpus_reports) -> None:
    flagged, checked = [], 0
    for name, report in corpus_reports.items():
        codes = {w["code"] for w in report["quality"]["warnings"]}
        if codes & {"kickoffs-missing", "no-game-state"}:
            flagged.append(name)
            continue
        checked += 1
        kicks = sorted(k["time"] for k in report["events"]["kickoffs"] if k["time"] is not None)
        goals = sorted(g["time"] for g in report["events"]["goals"] if g["time"] is not None)
        assert kicks, name
        if goals:
            assert kicks[0] < goals[0], name
        for goal, after in pairwise(goals):
            assert any(goal < k < after for k in kicks), (name, goal, after)
        assert len(kicks) >= len(goals), name
    assert checked >= 40, flagged


def test_current_builds_list_a_kickoff_per_goal(corpus_reports) -> None:
    report = corpus_reports["colonelpanic8-double-tap-third-goal-2026-05-24"]  # 7-0, build 260506
    assert len(report["events"]["kickoffs"]) == 8
    assert not {w["code"] for w in report["quality"]["warnings"]} & {"kickoffs-missing",
                                                                  "no-game-state"}
