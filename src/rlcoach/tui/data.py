"""The dashboard's only door to the library; every method runs in a worker.

Design:

* ``DashboardData`` wraps one ``Library`` handle plus the user's identity
  and session gap, read once at start-up, so queries never re-read
  rlcoach.toml from a worker thread.
* It never creates a library: opening a missing file would run the
  migrations and leave an empty database behind, so a missing file simply
  reads as "empty" and the screens say to run ``rlcoach ingest``.
* Each method bundles the queries one screen needs into one call (one worker
  round trip per screen load). Queries are the library's public API
  (``rlcoach.library.queries``); only dashboard-specific shaping lives here.
* ``generation`` counts reloads; screens compare it to decide whether data
  they hold is stale.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from rlcoach import paths
from rlcoach.config import Identity
from rlcoach.library import queries as q
from rlcoach.library.db import Library, open_library
from rlcoach.library.filters import GameFilter
from rlcoach.tui.heatmaps import player_heatmap
from rlcoach.tui.models import ROW_STATS, CompareData, GameView, HomeData, Status

RECENT_ON_HOME = 30  # rows fetched for Home: the table shows what fits, the form uses all
GAMES_PAGE = 500  # rows the Games table holds; filters and sorting reach the rest


class DashboardData:
    def __init__(self, library_path: Path | None = None, identity: Identity | None = None,
                 session_gap_minutes: float = 30.0, config_path: Path | None = None) -> None:
        self.path = Path(library_path) if library_path else paths.library_file()
        self.identity = identity or Identity()
        self.session_gap_minutes = session_gap_minutes
        self.config_path = config_path or paths.config_file()
        self.generation = 0
        self._library: Library | None = None
        self._lock = threading.Lock()  # two screens may load at once on start-up
        self._status: Status | None = None

    # -- plumbing -----------------------------------------------------------

    def library(self) -> Library | None:
        with self._lock:
            if self._library is None and self.path.exists():
                self._library = open_library(self.path)
            return self._library

    def invalidate(self) -> None:
        """Forget cached answers; screens reload when next shown."""
        with self._lock:
            self._status = None
            self.generation += 1

    def close(self) -> None:
        with self._lock:
            if self._library is not None:
                self._library.close()
                self._library = None

    def status(self) -> Status:
        with self._lock:
            if self._status is not None:
                return self._status
        lib = self.library()
        if lib is None:
            status = Status(games=0, my_games=0, identity_configured=not self.identity.is_empty,
                            config_path=str(self.config_path))
        else:
            stats = q.library_stats(lib, identity=self.identity)
            suggestions: tuple = ()
            if stats.games and not stats.my_games:
                suggestions = tuple(q.suggest_identity(lib))
            status = Status(games=stats.games, my_games=stats.my_games,
                            identity_configured=not self.identity.is_empty,
                            suggestions=suggestions, config_path=str(self.config_path))
        with self._lock:
            self._status = status
        return status

    # -- one bundle per screen ---------------------------------------------

    def home(self, now: datetime) -> HomeData:
        status = self.status()
        lib = self.library()
        if lib is None or status.problem:
            return HomeData(status, (), None, q.WinRate(0, 0, 0), q.WinRate(0, 0, 0), "", (), {})
        mine = GameFilter(mine_only=True)
        recent = q.recent_games(lib, filters=mine, limit=RECENT_ON_HOME, stats=ROW_STATS,
                                identity=self.identity)
        session = q.current_session(lib, identity=self.identity, now=now,
                                    gap_minutes=self.session_gap_minutes)
        lobby = q.lobby_comparison(lib, ROW_STATS, last=50, identity=self.identity)
        diffs = tuple(
            float((g.my_score or 0) - (g.their_score or 0)) for g in reversed(recent)
        )
        return HomeData(
            status=status, recent=tuple(recent), session=session,
            overall=q.win_rate(lib, identity=self.identity),
            last20=q.win_rate(lib, last=20, identity=self.identity),
            form=q.form(lib, last=20, identity=self.identity),
            form_diff=diffs, averages={s.metric: s.me for s in lobby},
        )

    def games(self, filters: GameFilter, sort: str = "date", descending: bool = True,
              limit: int = GAMES_PAGE) -> tuple[Status, list[q.GameRow], int]:
        status = self.status()
        lib = self.library()
        if lib is None or status.games == 0:
            return status, [], 0
        rows = q.recent_games(lib, filters=filters, limit=limit, sort=sort,
                              descending=descending, stats=ROW_STATS, identity=self.identity)
        total = len(rows) if len(rows) < limit else q.count_games(
            lib, filters=filters, identity=self.identity)
        return status, rows, total

    def playlists(self) -> list[tuple[str, int]]:
        lib = self.library()
        return q.playlists(lib) if lib is not None else []

    def game(self, game_id: int) -> GameView:
        lib = self.library()
        if lib is None:
            from rlcoach.errors import LibraryError

            raise LibraryError("the library is empty", hint="Run `rlcoach ingest`.")
        detail = q.game_detail(lib, game_id, identity=self.identity)
        grid, note = player_heatmap(detail)
        return GameView(detail=detail, heatmap=grid, heatmap_note=note)

    def trends(self, metrics: list[str], playlist: str | None, window: int,
               last: int | None = None) -> tuple[Status, list[q.TrendSeries]]:
        status = self.status()
        lib = self.library()
        if lib is None or status.problem or not metrics:
            return status, []
        flt = GameFilter(playlist=playlist) if playlist else None
        return status, q.trends(lib, metrics, last=last, filters=flt, window=window,
                                identity=self.identity)

    def compare(self, metrics: list[str], playlist: str | None,
                last: int | None = 200) -> CompareData:
        status = self.status()
        lib = self.library()
        if lib is None or status.problem:
            return CompareData(status, (), playlist, 0)
        flt = GameFilter(playlist=playlist) if playlist else None
        rows = q.lobby_comparison(lib, metrics, last=last, filters=flt, identity=self.identity)
        return CompareData(status, tuple(rows), playlist, rows[0].games if rows else 0)
