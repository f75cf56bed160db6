"""The dashboard's data layer against a real library.

The aggregates the dashboard shows (the library's, summed by SQLite) must
equal the means of the stored reports, and the "no library" / "no identity"
states must explain themselves instead of failing.
"""

from __future__ import annotations

import math
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from rlcoach.config import Identity
from rlcoach.library import queries as q
from rlcoach.library.db import open_library
from rlcoach.library.store import FileInfo, add_report
from rlcoach.tui.data import DashboardData
from rlcoach.tui.models import EMPTY_HINT
from rlcoach.tui.screens.compare import compared_metrics

from .conftest import ME_IDENTITY
from .factories import NOW, make_report


@pytest.fixture
def data(library_file: Path):  # type: ignore[no-untyped-def]
    d = DashboardData(library_file, identity=ME_IDENTITY)
    yield d
    d.close()


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9)


def report_means(data: DashboardData, metric: str, last: int | None,
                 playlist: str | None) -> dict[str, float | None]:
    """The oracle: means straight from the stored reports, role by role."""
    flt = q.GameFilter(playlist=playlist) if playlist else None
    rows = q.recent_games(data.library(), filters=flt, limit=last or 10_000,
                          identity=ME_IDENTITY)
    group, key = metric.split(".")
    values: dict[str, list[float]] = {"me": [], "mate": [], "opp": []}
    for row in rows:
        for p in q.game_report(data.library(), row.game_id)["players"]:
            value = p["stats"].get(group, {}).get(key)
            if p["is_bot"] or value is None:
                continue
            role = "me" if p["key"] == "steam:76561198000000001" else \
                "mate" if p["team"] == row.my_team else "opp"
            values[role].append(float(value))
    mean = lambda xs: sum(xs) / len(xs) if xs else None  # noqa: E731
    return {"me": mean(values["me"]), "teammates": mean(values["mate"]),
            "opponents": mean(values["opp"]), "lobby": mean(values["mate"] + values["opp"]),
            "games": len(rows)}


@pytest.mark.parametrize(("last", "playlist"), [(10, None), (None, None), (None, "ranked-duel")])
def test_lobby_means_are_the_reports_means(data: DashboardData, last, playlist) -> None:
    """The dashboard's Compare numbers are the library's, and those are the reports'."""
    metrics = compared_metrics()
    answer = data.lobby_means(metrics, last=last, playlist=playlist)
    assert [m.metric for m in answer] == metrics
    for stat in answer:
        expected = report_means(data, stat.metric, last, playlist)
        assert stat.games == expected["games"] > 0
        for field in ("me", "teammates", "opponents", "lobby"):
            assert close(getattr(stat, field), expected[field]), (stat.metric, field)


def test_compare_rates_per_minute_are_the_reports_totals_over_their_minutes(
        data: DashboardData) -> None:
    """Per-game totals in Compare: summed values over summed recorded minutes, per role."""
    compare = data.compare(compared_metrics(), "ranked-doubles", 200)
    rows = {r.metric: r for r in compare.rows}
    assert "core.goals" in compare.per_minute and "boost.bpm" not in compare.per_minute
    games = q.recent_games(data.library(), filters=q.GameFilter(playlist="ranked-doubles"),
                           limit=200, identity=ME_IDENTITY)
    goals, minutes = 0.0, 0.0
    for row in games:
        report = q.game_report(data.library(), row.game_id)
        me = next(p for p in report["players"] if p["key"] == "steam:76561198000000001")
        goals += me["stats"]["core"]["goals"]
        minutes += report["replay"]["duration"] / 60
    assert close(rows["core.goals"].me, goals / minutes)
    # A rate is not a per-game mean (the fixture's games run over five minutes).
    per_game = report_means(data, "core.goals", 200, "ranked-doubles")["me"]
    assert per_game is not None and not close(rows["core.goals"].me, per_game)
    assert close(rows["boost.bpm"].me, report_means(data, "boost.bpm", 200,
                                                   "ranked-doubles")["me"])


def test_win_counts_count_the_results(data: DashboardData) -> None:
    rows = q.recent_games(data.library(), limit=1000, identity=ME_IDENTITY)
    overall = data.win_counts()
    assert (overall.games, overall.wins, overall.losses) == (
        len(rows), sum(r.result == "win" for r in rows), sum(r.result == "loss" for r in rows))
    duel = data.win_counts("ranked-duel")
    assert duel.games == sum(r.playlist == "ranked-duel" for r in rows)
    assert 0 < duel.games < 40


def test_home_bundle(data: DashboardData) -> None:
    home = data.home(NOW)
    assert home.status.problem is None
    assert home.overall.games == 40 and len(home.recent) == 30
    assert len(home.form) == 20
    assert home.session is not None and home.session.active and home.session.games == 6
    assert set(home.averages) >= {"core.score", "boost.bpm"}
    assert home.scope == "ranked"  # every fixture game is ranked
    # Focus areas: the most played ranked playlist only, each with its games.
    assert home.focus_playlist is not None and home.focus_playlist.startswith("ranked")
    focus = data.focus(home.focus_playlist)
    assert len(focus.items) == 3
    played = {r.game_id for r in q.recent_games(
        data.library(), filters=q.GameFilter(playlist=home.focus_playlist), limit=1000,
        identity=ME_IDENTITY)}
    for item in focus.items:
        assert item.sentence and 0 < len(item.games) <= 3
        assert {g for g, _, _ in item.games} <= played
    # The insights come first, in the library's order; lobby shortfalls fill the rest.
    found = data.insights(home.focus_playlist, 50).findings
    assert [i.key for i in focus.items[:len(found)]] == [f["id"] for f in found[:3]]
    assert focus.source == ("insights" if len(found) >= 3 else
                            "insights+lobby" if found else "lobby")
    for item in focus.items[len(found):]:
        assert item.source == "lobby" and "in your lobbies" in item.sentence


def test_home_counts_ranked_games_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    with open_library(path) as lib:
        for i, playlist in enumerate(("ranked-doubles", "private", "offline")):
            report = make_report(i, date=NOW - timedelta(hours=i + 1))
            report["replay"].update(playlist=playlist, playlist_name=playlist.title())
            add_report(lib, report, FileInfo(f"/r/{i}.replay", 1, 0.0,
                                             report["replay"]["sha256"]))
    d = DashboardData(path, identity=ME_IDENTITY)
    ranked = d.home(NOW)
    assert ranked.scope == "ranked" and ranked.overall.games == 1
    assert [g.playlist for g in ranked.recent] == ["ranked-doubles"]
    everything = d.home(NOW, ranked_only=False)
    assert everything.scope == "all" and everything.overall.games == 3
    d.close()


def test_missing_library_is_empty_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "library.sqlite3"
    d = DashboardData(path, identity=ME_IDENTITY)
    status = d.status()
    assert status.games == 0 and status.problem == EMPTY_HINT
    assert "rlcoach ingest" in EMPTY_HINT
    assert d.home(NOW).recent == ()
    assert not path.exists()


def test_no_identity_says_how_to_set_it(library_file: Path) -> None:
    d = DashboardData(library_file, identity=Identity(),
                      config_path=Path("/cfg/rlcoach.toml"))
    problem = d.status().problem
    assert problem is not None
    assert "[identity]" in problem and "names = [" in problem and "platform_ids" in problem
    assert "/cfg/rlcoach.toml" in problem
    assert "Quantavious  steam:76561198000000001  in 40 games" in problem  # a suggestion
    # Every screen's bundle degrades to the message instead of raising.
    assert d.home(NOW).recent == ()
    assert d.trends(["core.score"], None, 10, None)[1] == []
    assert d.compare(compared_metrics(), None).rows == ()
    d.close()


def test_identity_matching_nobody(library_file: Path) -> None:
    d = DashboardData(library_file, identity=Identity(names=("Nobody At All",)))
    problem = d.status().problem
    assert problem is not None and "None of the games" in problem
    d.close()


def test_reload_sees_new_games(library_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "copy.sqlite3"
    shutil.copy(library_file, path)
    d = DashboardData(path, identity=ME_IDENTITY)
    assert d.home(NOW).overall.games == 40
    with open_library(path) as lib:
        report = make_report(999, date=NOW - timedelta(minutes=5))
        add_report(lib, report, FileInfo("/replays/new.replay", 1, 0.0, "x" * 64))
    assert d.home(NOW).overall.games == 40  # memoized until a reload
    generation = d.generation
    d.invalidate()
    assert d.generation == generation + 1
    assert d.home(NOW).overall.games == 41
    d.close()
