"""Library insights over a window of the user's games (hand-made reports)."""

from __future__ import annotations

import pytest

from rlcoach.library.insights import MIN_GAMES, library_insights
from rlcoach.library.store import FileInfo, add_report

from .factories import ME, make_report, series


def _add(library, reports) -> None:
    for k, r in enumerate(reports):
        add_report(library, r, FileInfo(f"/r/{k}.replay", 1, 1.0, r["replay"]["sha256"]))


def _coaching(report: dict, key: str, times: list[float]) -> dict:
    report["schema_version"] = "1.2"
    report["coaching"] = {"rotation": {"double_commits": [
        {"time": t, "clock": None, "players": [key, "epic:mate0001"], "confidence": 0.9}
        for t in times], "overcommits": []}}
    return report


def test_a_habit_against_the_lobby_with_moments_from_stored_reports(library, me) -> None:
    key = f"{ME[0]}:{ME[1]}"
    # factories give every other player random counts in 0..500; ME double commits 2000 a game
    reports = [_coaching(r, key, [30.0 + k, 90.0 + k]) for k, r in enumerate(
        series(6, my_stats={"rotation.double_commits": 2000}))]
    _add(library, reports)
    result = library_insights(library, identity=me, last=5)
    assert result.games == 5
    f = next(f for f in result.findings if f["id"] == "double-commits")
    assert f["claim"].startswith("You double committed with a teammate 2000 times per game "
                                 "(median of 5 games)")
    kinds = [b["kind"] for b in f["baselines"]]
    assert kinds[:2] == ["lobby", "history"]
    assert f["baselines"][1] == {"kind": "history", "value": 2000.0, "spread": 0.0, "n": 5,
                                 "source": "your last 5 games"}
    assert f["n_games"] == 5 and f["effect"] > 1
    # newest game first, each moment names its game
    assert [m["time"] for m in f["moments"][:2]] == [35.0, 95.0]
    assert all({"game_id", "played_at", "what"} <= set(m) for m in f["moments"])


def test_too_few_games_is_said_not_judged(library, me) -> None:
    _add(library, series(MIN_GAMES - 1, my_stats={"rotation.double_commits": 2000}))
    result = library_insights(library, identity=me)
    assert result.findings == []
    assert result.skipped == [f"everything: {MIN_GAMES - 1} game(s) in the window, "
                              f"need {MIN_GAMES}"]


def test_playlist_window(library, me) -> None:
    duel = dict(playlist="ranked-duel", blue=(ME,), orange=(("x", "1", "X"),))
    _add(library, [make_report(seed=k, my_stats={"rotation.double_commits": 2000}, **duel)
                   for k in range(3)])
    assert library_insights(library, identity=me, playlist="ranked-doubles").games == 0
    assert library_insights(library, identity=me, playlist="ranked-duel").games == 3


@pytest.mark.parametrize("value", [0])
def test_a_better_than_lobby_value_is_no_finding(library, me, value) -> None:
    _add(library, series(4, my_stats={"rotation.double_commits": value}))
    result = library_insights(library, identity=me)
    assert "double-commits" not in {f["id"] for f in result.findings}


def test_a_shot_rule_over_the_window_says_its_counts(library, me) -> None:
    key = f"{ME[0]}:{ME[1]}"
    # others' xG conceded is uniform in 0..100 a game; ME concedes 500 a game on 3 shots
    reports = series(4, my_stats={"chances.xg_conceded": 500.0, "chances.shots_conceded": 3})
    for k, r in enumerate(reports):
        r["schema_version"] = "1.7"
        r["coaching"] = {"shots": [
            {"time": 40.0 + k, "clock": "4:20", "player": "epic:opp10001", "name": "Opp",
             "team": "orange", "xg": 0.5 + 0.1 * n, "goal": n == 0, "conceded_by": key}
            for n in range(3)]}
    _add(library, reports)
    result = library_insights(library, identity=me, last=4)
    f = next(f for f in result.findings if f["id"] == "chances-conceded")
    assert f["claim"].startswith("You touched the ball last before 500 xG of the opponents' "
                                 "shots (within 5 s; 12 shots over the window) per game")
    assert f["n_games"] == 4 and f["effect"] > 1
    # newest game first, its best chance first
    assert f["moments"][0]["time"] == 43.0
    assert f["moments"][0]["what"] == "Opp shot after your touch (70% xG)"


def test_a_rate_over_the_window_is_pooled_not_a_median_of_games(library, me) -> None:
    # 0 of 4 kickoffs in three games, 2 of 4 in one: the median game says 0%,
    # the window 2 of 16 = 12.5%, and the claim quotes the counts beside the rate.
    mine = [{"kickoffs.won": 0, "kickoffs.taken": 4, "kickoffs.win_pct": 0.0}] * 3 \
        + [{"kickoffs.won": 2, "kickoffs.taken": 4, "kickoffs.win_pct": 50.0}]
    reports = [make_report(date=f"2026-03-10T18:{10 * k:02d}:00", seed=k, my_stats=s)
               for k, s in enumerate(mine)]
    _add(library, reports)
    others = [p["stats"]["kickoffs"] for r in reports for p in r["players"]
              if p["key"] != f"{ME[0]}:{ME[1]}"]
    lobby_rate = 100 * sum(o["won"] for o in others) / sum(o["taken"] for o in others)
    result = library_insights(library, identity=me, last=4)
    f = next(f for f in result.findings if f["id"] == "kickoffs-lost")
    assert f["value"] == 12.5
    assert f["claim"] == (f"You won 12% of the kickoffs taken (2 of 16 over the window) in 4 "
                          f"games; the lobby's rate was {lobby_rate:.0f}%.")
    assert f["baselines"][0]["value"] == round(lobby_rate, 2) and f["baselines"][0]["pooled"]
    assert f["baselines"][1]["kind"] == "history" and f["baselines"][1]["value"] == 0.0
