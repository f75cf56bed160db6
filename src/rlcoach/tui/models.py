"""What the screens show, beyond the library's own query results.

The library's read API (``rlcoach.library.queries``) already returns frozen
dataclasses (``GameRow``, ``GameDetail``, ``TrendSeries``, ``LobbyStat``,
``SessionSummary``); screens use those directly. This module adds the few
bundles a single screen needs in one worker round trip, so a screen never
touches the database from the UI thread (no lazy reads hide in here).
"""

from __future__ import annotations

from dataclasses import dataclass

from rlcoach.library.queries import (
    GameDetail,
    GameRow,
    LobbyStat,
    Notable,
    SessionSummary,
    WinRate,
)

# The user's stats on Home and in the games table (a subset of the library's
# KEY_STATS that fits 80 columns), in display order.
ROW_STATS: tuple[str, ...] = (
    "core.score", "core.goals", "core.assists", "core.saves", "core.shots", "boost.bpm",
)

IDENTITY_HINT = (
    "rlcoach does not know which player you are. Add your accounts to rlcoach.toml:\n\n"
    "    [identity]\n"
    '    names = ["YourInGameName"]\n'
    '    platform_ids = ["steam:7656119..."]   # or "epic:...", "ps4:...", "xbox:..."'
)
EMPTY_HINT = "The library is empty. Run `rlcoach ingest` to add your replays, then press r."


@dataclass(frozen=True)
class Status:
    """What every screen checks first: is there a library, and a "me" in it?"""

    games: int
    my_games: int
    identity_configured: bool
    suggestions: tuple[tuple[str, str | None, int], ...] = ()  # (name, platform:id, games)
    config_path: str = "rlcoach.toml"

    @property
    def problem(self) -> str | None:
        """The message to show instead of data, or None when all is well."""
        if self.games == 0:
            return EMPTY_HINT
        if not self.identity_configured:
            return (IDENTITY_HINT + f"\n\nThe file: {self.config_path}"
                    + _suggest(self.suggestions))
        if self.my_games == 0:
            return ("None of the games in the library has a player matching [identity] in "
                    "rlcoach.toml. Check the names and ids there." + _suggest(self.suggestions))
        return None


def _suggest(found: tuple[tuple[str, str | None, int], ...]) -> str:
    if not found:
        return ""
    lines = [f"    {name}  {pid or '(no platform id)'}  in {n} games" for name, pid, n in found]
    return ("\n\nPlayers in the most games (pick yours below and press enter to write it):\n"
            + "\n".join(lines))


@dataclass(frozen=True)
class HomeData:
    status: Status
    recent: tuple[GameRow, ...]
    session: SessionSummary | None
    overall: WinRate
    last20: WinRate
    form: str  # newest first, "W"/"L"/"-"
    form_diff: tuple[float, ...]  # goal difference per game, oldest first
    averages: dict[str, float | None]  # the user's mean ROW_STATS over the last 50 games
    focus_playlist: str | None = None  # the playlist the focus areas rest on
    scope: str = "ranked"  # which games Home counts: "ranked", "all", "all (no ranked games)"


@dataclass(frozen=True)
class GameData:
    detail: GameDetail
    heatmap: list[list[float]] | None  # screen-oriented grid for the user, or None
    heatmap_note: str  # what the heatmap shows, or why there is none
    notable: tuple[Notable, ...] = ()  # the user's stats furthest from their recent average


@dataclass(frozen=True)
class CompareData:
    status: Status
    rows: tuple[LobbyStat, ...]
    playlist: str | None
    games: int
    per_minute: frozenset[str] = frozenset()  # metrics whose rows are rates per minute
