"""What to work on first: the Home screen's three focus areas.

Over the recent games of one playlist (the ranked one the user plays most,
unless they ask for all play; playlists are never pooled: 1v1 and 3v3
numbers differ too much), in this order:

1. The library's insights (``library.insights.library_insights``): ranked
   findings against the lobby with an effect size, the moments behind them
   and a drill. The top three, each one sentence (the finding's claim) with
   the games holding most of its moments (``from_insights``).
2. When no rule finds anything (or the stored reports predate the coaching
   analyses), the user's own numbers against the other players in the same
   games (their lobbies: same playlist, same rank band by matchmaking, same
   match lengths, so per-game totals compare fairly without a per-minute
   rescale). A metric is a focus area when the user is worse than the lobby
   by the metric's direction; the three with the largest relative gap win,
   each with the games where the user was furthest on the wrong side
   (``focus_areas``, ``from_lobby``). The target rank's mean, when one is
   chosen, is quoted beside the lobby's; it never picks the areas (ballchasing's
   means pool every playlist). When the insights find fewer than three
   things, lobby shortfalls fill the rest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rlcoach.library.queries import GameRow, LobbyStat, TrendSeries

FOCUS_GAMES = 50  # recent games of the main playlist that the focus areas rest on
FOCUS_AREAS = 3  # insights first; the lobby comparison fills what they leave
MIN_GAMES = 5  # fewer than this and a mean says nothing
WORST_GAMES = 3  # games listed as showing a focus area most


@dataclass(frozen=True)
class FocusArea:
    metric: str
    label: str
    unit: str
    me: float
    lobby: float
    gap: float  # relative shortfall against the lobby, > 0 (0.12 = 12% worse)
    games: int  # games the means rest on
    worst: tuple[tuple[int, datetime], ...]  # (game id, date): furthest on the wrong side
    lower_is_worse: bool = True  # the metric's direction is "higher"


@dataclass(frozen=True)
class Focus:
    """One line of Home's "Work on": a sentence and the games that show it most."""

    key: str  # the insight rule id, or the metric
    sentence: str
    games: tuple[tuple[int, datetime, float | None], ...]  # (game id, date, moment's replay time)
    source: str  # "insights" | "lobby"


@dataclass(frozen=True)
class FocusReport:
    source: str  # "insights" | "lobby" | "insights+lobby"
    games: int  # games of the playlist the items rest on
    items: tuple[Focus, ...]


def is_ranked(playlist: str | None) -> bool:
    return bool(playlist) and playlist.startswith("ranked")  # type: ignore[union-attr]


def main_playlist(recent: Sequence[GameRow], ranked_only: bool = True) -> str | None:
    """The (ranked) playlist of most of the user's recent games (None: no such games)."""
    counts = Counter(g.playlist for g in recent
                     if g.playlist and (is_ranked(g.playlist) or not ranked_only))
    return counts.most_common(1)[0][0] if counts else None


def from_insights(findings: Sequence[dict[str, Any]], n: int = 3) -> list[Focus]:
    """The top ``n`` findings; games ordered by how many of the finding's moments they hold."""
    out = []
    for f in findings[:n]:
        per_game: dict[int, list[dict[str, Any]]] = {}
        for m in f.get("moments") or []:
            if isinstance(m.get("game_id"), int):
                per_game.setdefault(m["game_id"], []).append(m)
        # Most moments first; between equals, the newest game (sorts are stable).
        newest = sorted(per_game.values(), key=lambda ms: str(ms[0]["played_at"]), reverse=True)
        ranked = sorted(newest, key=len, reverse=True)[:WORST_GAMES]
        games = tuple((ms[0]["game_id"], datetime.fromisoformat(str(ms[0]["played_at"])),
                       ms[0].get("time")) for ms in ranked)
        out.append(Focus(f["id"], f["claim"], games, "insights"))
    return out


def from_lobby(areas: Sequence[FocusArea], value: Callable[[str, float], str],
               reference: Callable[[str], tuple[float, str] | None]) -> list[Focus]:
    """Lobby shortfalls as sentences: "<metric>: <you> a game against <lobby> ..."."""
    out = []
    for a in areas:
        ref = reference(a.metric)
        rank = f"; {ref[1]} {value(a.metric, ref[0])}" if ref else ""
        sentence = (f"{a.label}: {value(a.metric, a.me)} a game against "
                    f"{value(a.metric, a.lobby)} in your lobbies ({a.gap:.0%} "
                    f"{'less' if a.lower_is_worse else 'more'}){rank}.")
        out.append(Focus(a.metric, sentence, tuple((g, d, None) for g, d in a.worst), "lobby"))
    return out


def shortfalls(stats: Sequence[LobbyStat], n: int = 3) -> list[LobbyStat]:
    """The ``n`` metrics where the user trails the lobby most, worst first."""
    def gap(s: LobbyStat) -> float:
        assert s.me is not None and s.lobby
        worse = s.lobby - s.me if s.direction == "higher" else s.me - s.lobby
        return worse / abs(s.lobby)

    usable = [s for s in stats if s.direction in ("higher", "lower") and s.unit != "bool"
              and s.me is not None and s.lobby and s.games >= MIN_GAMES]
    behind = [s for s in usable if gap(s) > 0.02]  # within 2% is noise, not a weakness
    return sorted(behind, key=gap, reverse=True)[:n]


def focus_areas(stats: Sequence[LobbyStat], series: Sequence[TrendSeries]) -> list[FocusArea]:
    """Focus areas from lobby means and the per-game series of the same metrics."""
    by_metric = {s.metric: s for s in series}
    out = []
    for s in shortfalls(stats):
        assert s.me is not None and s.lobby is not None
        points = by_metric[s.metric].points if s.metric in by_metric else []
        # Worst first: lowest values for "higher is better", highest for "lower".
        ranked = sorted(points, key=lambda p: p.value, reverse=s.direction == "lower")
        worse = (s.lobby - s.me if s.direction == "higher" else s.me - s.lobby) / abs(s.lobby)
        out.append(FocusArea(s.metric, s.label, s.unit, s.me, s.lobby, worse, s.games,
                             tuple((p.game_id, p.played_at) for p in ranked[:WORST_GAMES]),
                             s.direction == "higher"))
    return out
