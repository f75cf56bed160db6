"""What to work on first: the Home screen's three focus areas.

Until the coaching insights (issue 10b) are in the library, the focus areas
come from the user's own numbers against the other players in the same games
(their lobbies: same playlist, same rank band by matchmaking, same match
lengths, so per-game totals compare fairly without a per-minute rescale),
over the recent ranked games of the playlist they play most. Playlists are
never pooled: 1v1 and 3v3 numbers differ too much.

A metric is a focus area when the user is worse than the lobby by the
metric's direction; the three with the largest relative gap win. Each comes
with the games where the user was furthest on the wrong side, so the claim
can be checked game by game.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rlcoach.library.queries import GameRow, LobbyStat, TrendSeries

FOCUS_GAMES = 50  # recent games of the main playlist that the focus areas rest on
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


def main_playlist(recent: Sequence[GameRow]) -> str | None:
    """The ranked playlist of most of the user's recent games (None: no ranked games)."""
    counts = Counter(g.playlist for g in recent if g.playlist and g.playlist.startswith("ranked"))
    return counts.most_common(1)[0][0] if counts else None


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
                             tuple((p.game_id, p.played_at) for p in ranked[:WORST_GAMES])))
    return out
