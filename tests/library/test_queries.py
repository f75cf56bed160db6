"""The read-side API against factory reports with known values."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from rlcoach.config import Identity
from rlcoach.errors import LibraryError
from rlcoach.library import queries as q
from rlcoach.library.store import FileInfo, add_report
from rlcoach.report.registry import METRICS

from .factories import MATE, ME, OPP1, OPP2, make_report, series


def _add(library, reports):
    return [add_report(library, r, FileInfo(f"/r/{i}.replay", 1, 1.0, f"s{i}"))[1]
            for i, r in enumerate(reports)]


def test_recent_games_newest_first_with_my_result_and_stats(library, me) -> None:
    _add(library, series(5))
    rows = q.recent_games(library, limit=3, identity=me)
    assert [r.played_at for r in rows] == sorted((r.played_at for r in rows), reverse=True)
    assert len(rows) == 3
    newest = rows[0]  # i=4: a win (even index)
    assert newest.result == "win" and newest.my_team == "blue" and newest.my_name == "Me"
    assert newest.teammates == ["Mate"] and newest.opponents == ["Opponent One", "Opponent Two"]
    assert set(newest.my_stats) == set(q.KEY_STATS)
    assert (newest.my_score, newest.their_score) == (3, 1)


def test_me_follows_identity_at_query_time(library) -> None:
    _add(library, series(2))
    as_me = q.recent_games(library, identity=Identity(names=("me",)))
    as_opp = q.recent_games(library, identity=Identity(platform_ids=("xbox:opp00002",)))
    nobody = q.recent_games(library, identity=Identity())
    assert [r.my_team for r in as_me] == ["blue", "blue"]
    assert [r.my_team for r in as_opp] == ["orange", "orange"]
    assert as_me[0].result != as_opp[0].result
    assert [r.result for r in nobody] == [None, None]


def test_identity_comes_from_rlcoach_toml_by_default(library, write_identity) -> None:
    _add(library, series(1))
    write_identity(names=("Opponent One",))
    assert q.recent_games(library)[0].my_team == "orange"
    write_identity(ids=(f"{ME[0]}:{ME[1]}",))
    assert q.recent_games(library)[0].my_team == "blue"


def test_filters(library, me) -> None:
    reports = [
        make_report(date=datetime(2026, 1, 1, 12), seed=1, playlist="ranked-duel",
                    blue=(ME,), orange=(OPP1,), score=(1, 0), map_name="Mannfield"),
        make_report(date=datetime(2026, 1, 2, 12), seed=2, score=(0, 1)),
        make_report(date=datetime(2026, 1, 3, 12), seed=3, blue=(ME, OPP2), orange=(MATE, OPP1)),
    ]
    _add(library, reports)

    def ids(**kw):
        rows = q.recent_games(library, filters=q.GameFilter(**kw), identity=me, limit=None)
        return sorted(r.played_at.day for r in rows)

    assert ids(playlist="ranked-duel") == [1]
    assert ids(playlist=("ranked-duel", "ranked-doubles")) == [1, 2, 3]
    assert ids(since="2026-01-02") == [2, 3]
    assert ids(until="2026-01-02") == [1, 2]
    assert ids(since=datetime(2026, 1, 2, 13)) == [3]
    assert ids(result="win") == [1, 3]
    assert ids(result="loss") == [2]
    assert ids(teammate="mate") == [2]  # in game 3 Mate is an opponent
    assert ids(text="mannfield") == [1]
    assert ids(text="opponent two") == [2, 3]
    assert q.count_games(library, filters=q.GameFilter(result="win"), identity=me) == 2


def test_sort_by_metric(library, me) -> None:
    reports = [make_report(date=datetime(2026, 1, d), seed=d, my_stats={"boost.bpm": bpm})
               for d, bpm in ((1, 300), (2, 500), (3, 100))]
    _add(library, reports)
    rows = q.recent_games(library, sort="bpm", identity=me)
    assert [r.my_stats["boost.bpm"] for r in rows] == [500, 300, 100]
    rows = q.recent_games(library, sort="boost.bpm", descending=False, identity=me)
    assert [r.my_stats["boost.bpm"] for r in rows] == [100, 300, 500]


def test_trends_rolling_and_win_loss_split(library, me) -> None:
    values = [100, 200, 300, 400]
    reports = [make_report(date=datetime(2026, 1, 1 + i), seed=i, my_stats={"boost.bpm": v},
                           score=(1, 0) if i % 2 == 0 else (0, 1))
               for i, v in enumerate(values)]
    _add(library, reports)
    (bpm,) = q.trends(library, ["bpm"], window=2, identity=me)
    assert bpm.metric == "boost.bpm"
    assert [p.value for p in bpm.points] == values  # oldest first
    assert [p.rolling for p in bpm.points] == [100, 150, 250, 350]
    assert bpm.average == 250 and bpm.average_wins == 200 and bpm.average_losses == 300
    (last2,) = q.trends(library, ["boost.bpm"], last=2, identity=me)
    assert [p.value for p in last2.points] == [300, 400]


def test_unknown_and_ambiguous_metrics_explain_themselves(library, me) -> None:
    with pytest.raises(q.UnknownMetricError) as err:
        q.trends(library, ["bmp"], identity=me)
    assert "bpm" in (err.value.hint or "")
    with pytest.raises(q.UnknownMetricError) as err:
        q.resolve_metric("time_defensive_third_x")
    with pytest.raises(q.UnknownMetricError) as err:
        q.resolve_metric("inflicted_nope")
    assert isinstance(err.value, LibraryError)


def test_trends_without_identity_say_what_to_do(library) -> None:
    _add(library, series(2))
    with pytest.raises(LibraryError) as err:
        q.trends(library, ["bpm"], identity=Identity())
    assert "identity" in (err.value.hint or "")


def test_sessions_split_on_gap(library, me) -> None:
    start = datetime(2026, 2, 1, 20, 0)
    first = series(3, start=start, spacing=timedelta(minutes=10))
    second = series(2, start=start + timedelta(hours=5), spacing=timedelta(minutes=10))
    for i, r in enumerate(second):  # distinct matches from the first run's seeds
        r["replay"]["match_guid"] = f"SECOND{i}"
    _add(library, first + second)
    found = q.sessions(library, gap_minutes=30, identity=me,
                       now=start + timedelta(hours=5, minutes=30))
    assert [s.games for s in found] == [2, 3]
    assert found[0].active and not found[1].active
    assert (found[1].wins, found[1].losses) == (2, 1)
    current = q.current_session(library, gap_minutes=30, identity=me)
    assert current is not None and current.game_ids == found[0].game_ids
    # A gap shorter than the pause merges everything into one session.
    assert len(q.sessions(library, gap_minutes=600, identity=me)) == 1


def test_win_rate_and_form(library, me) -> None:
    _add(library, series(5))  # W L W L W, oldest first
    rate = q.win_rate(library, identity=me)
    assert (rate.games, rate.wins, rate.losses) == (5, 3, 2) and rate.rate == pytest.approx(0.6)
    assert q.form(library, last=3, identity=me) == "WLW"


def test_lobby_comparison(library, me) -> None:
    r = make_report(my_stats={"boost.bpm": 400})
    for p in r["players"]:
        if p["name"] != "Me":
            p["stats"]["boost"]["bpm"] = {"Mate": 300, "Opponent One": 200, "Opponent Two": 100}[
                p["name"]]
    _add(library, [r])
    (bpm,) = q.lobby_comparison(library, ["bpm"], identity=me)
    assert (bpm.me, bpm.teammates, bpm.opponents, bpm.lobby) == (400, 300, 150, 200)


def test_notable_stats_pick_the_outlier(library, me) -> None:
    reports = [make_report(date=datetime(2026, 1, 1 + i), seed=i,
                           my_stats={"boost.bpm": 300 + i, "movement.avg_speed": 1500 + 3 * i})
               for i in range(8)]
    reports.append(make_report(date=datetime(2026, 1, 20), seed=99,
                               my_stats={"boost.bpm": 301, "movement.avg_speed": 1900}))
    ids = _add(library, reports)
    found = q.notable_stats(library, ids[-1], n=40, identity=me)
    speed = next(n for n in found if n.metric == "movement.avg_speed")
    assert speed.better is True and speed.value == 1900
    assert speed.average == pytest.approx(1500 + 3 * 3.5)
    assert found.index(speed) < 3


def test_game_detail_has_report_players_and_files(library, me) -> None:
    (gid,) = _add(library, [make_report()])
    detail = q.game_detail(library, gid, identity=me)
    assert detail.report["replay"]["map_name"] == "DFH Stadium"
    assert [p.is_me for p in detail.players] == [True, False, False, False]
    assert len(detail.players[0].stats) == len(METRICS)
    assert [f.status for f in detail.files] == ["ok"]
    with pytest.raises(LibraryError):
        q.game_report(library, 999)


def test_library_stats_and_suggest_identity(library) -> None:
    _add(library, series(3))
    stats = q.library_stats(library, identity=Identity(names=("Mate",)))
    assert (stats.games, stats.my_games, stats.files_ok) == (3, 3, 3)
    assert q.suggest_identity(library)[0][2] == 3
    assert q.playlists(library) == [("ranked-doubles", 3)]


def test_notable_stats_compare_per_game_totals_per_minute(library, me) -> None:
    """A long game's many shots are ordinary per minute; an average is not rescaled."""
    reports = [make_report(date=datetime(2026, 1, 1 + i), seed=i, duration=300.0,
                           my_stats={"core.shots": 4 + i % 3}) for i in range(9)]
    # Twice as long, twice the shots: the usual rate.
    reports.append(make_report(date=datetime(2026, 1, 20), seed=99, duration=600.0,
                               my_stats={"core.shots": 10}))
    ids = _add(library, reports)
    found = {n.metric: n for n in q.notable_stats(library, ids[-1], n=200, identity=me)}
    shots = found["core.shots"]
    assert shots.per_minute and shots.value == pytest.approx(10 / 10)
    assert shots.average == pytest.approx(5 / 5)
    assert abs(shots.z) < 0.1  # per game it would be 6 standard deviations out
    assert found["movement.avg_speed"].per_minute is False


def test_notable_stats_never_pool_playlists(library, me) -> None:
    duel = [make_report(date=datetime(2026, 1, 1 + i), seed=i, playlist="ranked-duel",
                        blue=(ME,), orange=(OPP1,)) for i in range(8)]
    doubles = make_report(date=datetime(2026, 1, 20), seed=99)
    ids = _add(library, [*duel, doubles])
    assert q.notable_stats(library, ids[-1], identity=me) == []  # no earlier doubles games
