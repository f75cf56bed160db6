"""Home's focus areas: where the user trails their lobbies, and the games that show it."""

from __future__ import annotations

from datetime import datetime

import pytest

from rlcoach.library.queries import GameRow, LobbyStat, TrendPoint, TrendSeries
from rlcoach.tui.focus import focus_areas, from_insights, from_lobby, main_playlist, shortfalls


def stat(metric: str, direction: str, me: float, lobby: float, games: int = 20) -> LobbyStat:
    return LobbyStat(metric=metric, label=metric, unit="count", direction=direction, me=me,
                     teammates=lobby, opponents=lobby, lobby=lobby, games=games)


@pytest.mark.parametrize(("stats", "expected"), [
    # Worse by direction, largest relative gap first; better or equal is no focus.
    ([stat("a", "higher", 0.8, 1.0), stat("b", "higher", 0.5, 1.0), stat("c", "lower", 1.3, 1.0),
      stat("d", "higher", 2.0, 1.0)], ["b", "c", "a"]),
    # Within 2% is noise; neutral metrics and too few games never count.
    ([stat("a", "higher", 0.99, 1.0), stat("b", "neutral", 0.1, 1.0),
      stat("c", "higher", 0.1, 1.0, games=3)], []),
    # At most three.
    ([stat(k, "higher", 0.5 + i / 10, 1.0) for i, k in enumerate("abcde")], ["a", "b", "c"]),
])
def test_shortfalls(stats: list[LobbyStat], expected: list[str]) -> None:
    assert [s.metric for s in shortfalls(stats)] == expected


def test_focus_areas_name_the_worst_games() -> None:
    points = [TrendPoint(i, datetime(2026, 1, 1 + i), v, v, "win")
              for i, v in enumerate([3.0, 1.0, 2.0, 0.0, 5.0])]
    series = [TrendSeries(metric="a", label="a", unit="count", direction="higher",
                          points=points, average=2.2, average_wins=2.2, average_losses=None)]
    (area,) = focus_areas([stat("a", "higher", 2.2, 3.0)], series)
    assert [g for g, _ in area.worst] == [3, 1, 2]  # lowest values: higher is better
    assert area.gap == pytest.approx(0.8 / 3.0)


def row(playlist: str | None) -> GameRow:
    return GameRow(game_id=1, played_at=datetime(2026, 1, 1), playlist=playlist,
                   playlist_name=None, map_name=None, team_size=2, duration=300.0,
                   overtime=False, score={"blue": 1, "orange": 0}, winner="blue",
                   my_team="blue", result="win", my_name="me", teammates=[], opponents=[],
                   my_stats={})


def test_main_playlist_is_the_most_played_ranked_one() -> None:
    games = [row("ranked-duel"), row("casual-standard"), row("casual-standard"),
             row("ranked-doubles"), row("ranked-doubles"), row(None)]
    assert main_playlist(games) == "ranked-doubles"
    assert main_playlist([row("private"), row(None)]) is None


def test_insight_focus_names_the_games_with_most_moments() -> None:
    def moment(game: int, day: int, time: float) -> dict[str, object]:
        return {"game_id": game, "played_at": f"2026-01-{day:02d}T20:00:00", "time": time,
                "clock": "4:00", "what": "x"}

    finding = {"id": "double-commits", "claim": "You double committed 3 times.",
               "moments": [moment(7, 3, 12.0), moment(5, 1, 40.0), moment(5, 1, 90.0),
                           moment(9, 4, 3.0), moment(8, 2, 5.0)]}
    (item,) = from_insights([finding])
    assert item.sentence == "You double committed 3 times." and item.source == "insights"
    # Game 5 holds two moments; then the newest of the one-moment games.
    assert [(g, t) for g, _, t in item.games] == [(5, 40.0), (9, 3.0), (7, 12.0)]


def test_lobby_focus_sentence_quotes_the_target_rank() -> None:
    (area,) = focus_areas([stat("a", "higher", 2.0, 2.5)], [])
    (item,) = from_lobby([area], lambda m, v: f"{v:.1f}",
                         lambda m: (3.0, "Diamond mean") if m == "a" else None)
    assert item.sentence == "a: 2.0 a game against 2.5 in your lobbies (20% less); " \
        "Diamond mean 3.0."
    (plain,) = from_lobby([area], lambda m, v: f"{v:.1f}", lambda m: None)
    assert "Diamond" not in plain.sentence


def test_main_playlist_counts_every_playlist_when_asked() -> None:
    games = [row("private"), row("private"), row("ranked-duel")]
    assert main_playlist(games) == "ranked-duel"
    assert main_playlist(games, ranked_only=False) == "private"
