"""Home's focus areas: where the user trails their lobbies, and the games that show it."""

from __future__ import annotations

from datetime import datetime

import pytest

from rlcoach.library.queries import GameRow, LobbyStat, TrendPoint, TrendSeries
from rlcoach.tui.focus import focus_areas, main_playlist, shortfalls


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
