"""The dashboard's only door to the library; every method runs in a worker.

Design:

* ``DashboardData`` wraps one ``Library`` handle plus the user's identity
  and session gap, read once at start-up, so queries never re-read
  rlcoach.toml from a worker thread.
* It never creates a library: opening a missing file would run the
  migrations and leave an empty database behind, so a missing file simply
  reads as "empty" and the screens say to run ``rlcoach ingest``.
* Each method bundles the queries one screen needs into one call (one worker
  round trip per screen load), built only on the library's public read API
  (``rlcoach.library.queries``): no SQL of its own, so the dashboard and the
  CLI cannot disagree about a number.
* Answers are memoized per ``generation``, so going back to a game or a
  filter already seen costs no query; ``invalidate`` (the Reload command)
  bumps the generation and clears them.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from rlcoach import paths
from rlcoach.config import Config, Identity
from rlcoach.errors import LibraryError
from rlcoach.library import queries as q
from rlcoach.library.db import Library, open_library
from rlcoach.library.filters import GameFilter
from rlcoach.library.heatmaps import my_recent_heatmap
from rlcoach.library.insights import LibraryInsights, library_insights
from rlcoach.report.registry import BY_QUALIFIED, METRICS
from rlcoach.tui import format as fmt
from rlcoach.tui.focus import (
    FOCUS_AREAS,
    FOCUS_GAMES,
    FocusArea,
    FocusReport,
    focus_areas,
    from_insights,
    from_lobby,
    is_ranked,
    main_playlist,
    shortfalls,
)
from rlcoach.tui.heatmaps import average_grid, player_heatmap
from rlcoach.tui.identity import config_stamp, write_identity, write_target_rank
from rlcoach.tui.models import ROW_STATS, CompareData, GameData, HomeData, Status
from rlcoach.tui.ranks import load_rank_means

T = TypeVar("T")
RECENT_ON_HOME = 30  # rows fetched for Home: the table shows what fits, the form uses 20
GAMES_PAGE = 60  # rows per page of the Games table; more load as the cursor nears the end
# (60: a 60-line terminal is filled; not 100: a re-sort or a filter refills the table, and
# Textual measures every cell of every row added: 100 rows cost ~40 ms more UI time)
HEATMAP_GAMES = 20  # recent games the average heatmap beside a game's rests on
LONGEST_SESSION = timedelta(hours=24)  # how far back the current session is looked for


class UIThreadQueryError(RuntimeError):
    """A database read was attempted on the thread running the Textual loop."""


def _not_on_the_ui_thread() -> None:
    """Refuse database work on a thread that runs an event loop (the UI's).

    Worker threads have no running loop; scripts and tests that call us
    outside an app have none either. A query on the UI thread freezes keys
    and repaint for its whole duration, so it is a bug we want to hear about.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise UIThreadQueryError("DashboardData was called on the UI thread; use a worker")


class DashboardData:
    def __init__(self, library_path: Path | None = None, identity: Identity | None = None,
                 session_gap_minutes: float = 30.0, config_path: Path | None = None,
                 target_rank: str | None = None) -> None:
        self.path = Path(library_path) if library_path else paths.library_file()
        self.identity = identity or Identity()
        self.session_gap_minutes = session_gap_minutes
        self.target_rank = target_rank  # a tier name from rank_means.json, or None
        self.config_path = config_path or paths.config_file()
        self.generation = 0
        self._library: Library | None = None
        self._lock = threading.Lock()  # views load concurrently, each in its worker
        self._memo: dict[tuple, Any] = {}
        self._stamp = self.file_stamp()
        self._config_stamp = config_stamp(self.config_path)

    # -- plumbing -----------------------------------------------------------

    def library(self) -> Library | None:
        _not_on_the_ui_thread()
        with self._lock:
            if self._library is None and self.path.exists():
                self._library = open_library(self.path)
                # Opening creates the -wal file: that is us, not a writer.
                self._stamp = self.file_stamp()
            return self._library

    def _lib(self) -> Library:
        lib = self.library()
        if lib is None:
            raise LibraryError("the library is empty", hint="Run `rlcoach ingest`.")
        return lib

    def file_stamp(self) -> tuple[tuple[int, int], ...]:
        """(mtime, size) of the database and its write-ahead log.

        Writers in WAL mode append to ``-wal`` and checkpoint into the main
        file, so any commit changes one of the two; readers (us) change
        neither (they touch only ``-shm``).
        """
        stamps = []
        for path in (self.path, self.path.with_name(self.path.name + "-wal")):
            try:
                st = path.stat()
                stamps.append((st.st_mtime_ns, st.st_size))
            except OSError:
                stamps.append((0, 0))
        return tuple(stamps)

    def changed_on_disk(self) -> bool:
        """True once per write by another process since the last call."""
        stamp = self.file_stamp()
        with self._lock:
            if stamp == self._stamp:
                return False
            self._stamp = stamp
            return True

    def config_changed(self) -> bool:
        """True once per change of rlcoach.toml (by us or an editor) since the last call."""
        stamp = config_stamp(self.config_path)
        if stamp == self._config_stamp:
            return False
        self._config_stamp = stamp
        return True

    def use_config(self, config: Config) -> None:
        """Take rlcoach.toml's identity, session gap and target rank; every answer is recomputed."""
        self.identity = config.identity
        self.session_gap_minutes = config.library.session_gap_minutes
        self.target_rank = config.dashboard.target_rank
        self.invalidate()

    def set_target_rank(self, tier: str) -> None:
        """Remember the target rank in rlcoach.toml and use it at once."""
        config = write_target_rank(self.config_path, tier)
        self._config_stamp = config_stamp(self.config_path)
        self.use_config(config)

    def set_me(self, platform_id: str | None, name: str) -> None:
        """"This is me": write [identity] to rlcoach.toml and use it at once."""
        config = write_identity(self.config_path, platform_id, name)
        self._config_stamp = config_stamp(self.config_path)
        self.use_config(config)

    def invalidate(self) -> None:
        """Forget every answer; screens reload when next shown."""
        with self._lock:
            self._memo.clear()
            self.generation += 1

    def close(self) -> None:
        with self._lock:
            if self._library is not None:
                self._library.close()
                self._library = None

    def _cached(self, key: tuple, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._memo:
                return self._memo[key]
            generation = self.generation
        value = compute()  # outside the lock: two screens may compute at once
        with self._lock:
            if generation == self.generation:
                self._memo[key] = value
        return value

    def status(self) -> Status:
        return self._cached(("status",), self._status)

    def _status(self) -> Status:
        lib = self.library()
        configured = not self.identity.is_empty
        if lib is None:
            return Status(0, 0, configured, config_path=str(self.config_path))
        stats = q.library_stats(lib, identity=self.identity)
        suggestions = tuple(q.suggest_identity(lib)) if stats.games and not stats.my_games else ()
        return Status(stats.games, stats.my_games, configured, suggestions,
                      config_path=str(self.config_path))

    # -- one bundle per screen ---------------------------------------------

    def home(self, now: datetime, ranked_only: bool = True) -> HomeData:
        return self._cached(("home", now, ranked_only), lambda: self._home(now, ranked_only))

    def _home(self, now: datetime, ranked_only: bool) -> HomeData:
        status = self.status()
        if status.problem:
            return HomeData(status, (), None, q.WinRate(0, 0, 0), q.WinRate(0, 0, 0), "", (), {})
        lib = self._lib()
        # Ranked play unless asked: offline, private and bot games say little about
        # the player. No ranked games at all: everything, and the screen says so.
        ranked = tuple(p for p, _ in self.playlists() if is_ranked(p)) if ranked_only else ()
        scope = "ranked" if ranked else "all" if not ranked_only else "all (no ranked games)"
        played = ranked or None
        recent = q.recent_games(lib, filters=GameFilter(mine_only=True, playlist=played),
                                limit=RECENT_ON_HOME, stats=ROW_STATS, identity=self.identity)
        session = None
        if recent:
            # Only the newest games can be in the current session: bound the scan.
            since = recent[0].played_at - LONGEST_SESSION
            session = q.current_session(lib, filters=GameFilter(since=since), now=now,
                                        gap_minutes=self.session_gap_minutes,
                                        identity=self.identity)
        last20 = recent[:20]
        marks = {"win": "W", "loss": "L"}
        means = self.lobby_means(ROW_STATS, last=50, playlist=played)
        playlist = main_playlist(recent, ranked_only)
        return HomeData(
            status=status, recent=tuple(recent), session=session,
            overall=self.win_counts(played), scope=scope,
            last20=q.WinRate(len(last20), sum(g.result == "win" for g in last20),
                             sum(g.result == "loss" for g in last20)),
            form="".join(marks.get(g.result or "", "-") for g in last20),
            form_diff=tuple(float((g.my_score or 0) - (g.their_score or 0))
                            for g in reversed(recent)),
            averages={s.metric: s.me for s in means},
            focus_playlist=playlist,
        )

    def focus(self, playlist: str) -> FocusReport:
        """Home's focus areas over the recent games of one playlist (``tui.focus``).

        Asked for after Home is painted (its own worker): insights over the
        window, or a lobby comparison over every directional metric, cost as
        much as the rest of Home.
        """
        key = ("focus", playlist, self.target_rank)
        return self._cached(key, lambda: self._focus(self._lib(), playlist))

    def _focus(self, lib: Library, playlist: str) -> FocusReport:
        found = self.insights(playlist, FOCUS_GAMES)
        items = from_insights(found.findings)
        if len(items) >= FOCUS_AREAS:
            return FocusReport("insights", found.games, tuple(items))
        # Fewer findings than areas: the lobby comparison fills the rest.
        ranks = load_rank_means()
        # Not the same thing twice: a group an insight covers (kickoff win % and
        # kickoffs lost) gives no lobby item.
        covered = {str(f["metric"]).split(".")[0] for f in found.findings[:FOCUS_AREAS]}
        areas = self.lobby_focus(lib, playlist, skip_groups=covered)
        items += from_lobby(areas, lambda m, v: fmt.mean_value(BY_QUALIFIED[m], v),
                            lambda m: ranks.reference(m, self.target_rank))
        source = "insights+lobby" if found.findings else "lobby"
        return FocusReport(source, found.games or (areas[0].games if areas else 0),
                           tuple(items[:FOCUS_AREAS]))

    def main_playlist(self) -> str | None:
        """The ranked playlist of most of the user's recent games (None: no ranked games)."""
        def read() -> str | None:
            rows = q.recent_games(self._lib(), filters=GameFilter(mine_only=True),
                                  limit=FOCUS_GAMES, stats=(), identity=self.identity)
            return main_playlist(rows)

        return self._cached(("main_playlist",), read)

    def insights(self, playlist: str | None, last: int | None) -> LibraryInsights:
        """The library's ranked findings over the user's last ``last`` games of a playlist."""
        return self._cached(("insights", playlist, last), lambda: library_insights(
            self._lib(), last=last, playlist=playlist, identity=self.identity))

    def lobby_focus(self, lib: Library, playlist: str,
                    skip_groups: set[str] | frozenset[str] = frozenset()) -> list[FocusArea]:
        flt = GameFilter(playlist=playlist)
        metrics = [m.qualified for m in METRICS if m.direction != "neutral"
                   and m.unit != "bool" and m.group not in skip_groups]
        stats = q.lobby_comparison(lib, metrics, last=FOCUS_GAMES, filters=flt,
                                   identity=self.identity)
        worst = [s.metric for s in shortfalls(stats)]
        series = q.trends(lib, worst, last=FOCUS_GAMES, filters=flt, window=1,
                          identity=self.identity) if worst else []
        return focus_areas(stats, series)

    def games(self, filters: GameFilter, sort: str = "date", descending: bool = True,
              offset: int = 0) -> tuple[Status, list[q.GameRow], int]:
        key = ("games", filters, sort, descending, offset)
        return self._cached(key, lambda: self._games(filters, sort, descending, offset))

    def _games(self, filters: GameFilter, sort: str, descending: bool,
               offset: int) -> tuple[Status, list[q.GameRow], int]:
        status = self.status()
        if status.games == 0:
            return status, [], 0
        lib = self._lib()
        rows = q.recent_games(lib, filters=filters, limit=GAMES_PAGE, offset=offset, sort=sort,
                              descending=descending, stats=ROW_STATS, identity=self.identity)
        # The count does not depend on the order: a re-sort reuses it.
        total = offset + len(rows) if len(rows) < GAMES_PAGE else self._cached(
            ("count", filters), lambda: q.count_games(lib, filters=filters,
                                                      identity=self.identity))
        return status, rows, total

    def playlists(self) -> list[tuple[str, int]]:
        def read() -> list[tuple[str, int]]:
            lib = self.library()
            return q.playlists(lib) if lib else []

        return self._cached(("playlists",), read)

    def game(self, game_id: int) -> GameData:
        return self._cached(("game", game_id), lambda: self._game(game_id))

    def _game(self, game_id: int) -> GameData:
        lib = self._lib()
        detail = q.game_detail(lib, game_id, identity=self.identity)
        grid, note = player_heatmap(detail)
        notable = q.notable_stats(lib, game_id, n=4, identity=self.identity)
        return GameData(detail=detail, heatmap=grid, heatmap_note=note, notable=tuple(notable))

    def average_heatmap(self) -> tuple[list[list[float]] | None, int]:
        """The user's heatmap averaged over their recent games: (screen grid, games).

        Reads up to ``HEATMAP_GAMES`` stored reports, so it is asked for only
        when a Heatmap tab is shown, and kept for the generation.
        """
        def read() -> tuple[list[list[float]] | None, int]:
            found = my_recent_heatmap(self._lib(), last=HEATMAP_GAMES, identity=self.identity)
            return (average_grid(found[0]), found[1]) if found else (None, 0)

        return self._cached(("average_heatmap",), read)

    def trends(self, metrics: list[str], playlist: str | None, window: int,
               last: int | None) -> tuple[Status, list[q.TrendSeries]]:
        key = ("trends", tuple(metrics), playlist, window, last)
        return self._cached(key, lambda: self._trends(metrics, playlist, window, last))

    def _trends(self, metrics: list[str], playlist: str | None, window: int,
                last: int | None) -> tuple[Status, list[q.TrendSeries]]:
        status = self.status()
        if status.problem or not metrics:
            return status, []
        flt = GameFilter(playlist=playlist) if playlist else None
        return status, q.trends(self._lib(), metrics, last=last, filters=flt, window=window,
                                identity=self.identity)

    def compare(self, metrics: list[str], playlist: str | None,
                last: int | None = 200) -> CompareData:
        key = ("compare", tuple(metrics), playlist, last)
        return self._cached(key, lambda: self._compare(metrics, playlist, last))

    def _compare(self, metrics: list[str], playlist: str | None,
                 last: int | None) -> CompareData:
        status = self.status()
        if status.problem:
            return CompareData(status, (), playlist, 0)
        # Per-game totals (goals, pads, seconds somewhere) as rates: match lengths
        # differ, and a per-game mean would reward overtime.
        totals = [m for m in metrics if q.grows_with_time(BY_QUALIFIED[m])]
        rows = self.lobby_means([m for m in metrics if m not in totals], last=last,
                                playlist=playlist)
        if totals:
            rows += self.lobby_means(totals, last=last, playlist=playlist, per_minute=True)
        return CompareData(status, tuple(rows), playlist, rows[0].games if rows else 0,
                           per_minute=frozenset(totals))

    # -- aggregates (the library's) ------------------------------------------------

    def win_counts(self, playlist: str | tuple[str, ...] | None = None) -> q.WinRate:
        flt = GameFilter(playlist=playlist) if playlist else None
        return q.win_rate(self._lib(), filters=flt, identity=self.identity)

    def lobby_means(self, metrics: Sequence[str], *, last: int | None = 50,
                    playlist: str | tuple[str, ...] | None = None,
                    per_minute: bool = False) -> list[q.LobbyStat]:
        flt = GameFilter(playlist=playlist) if playlist else None
        return q.lobby_comparison(self._lib(), metrics, last=last, filters=flt,
                                  identity=self.identity, per_minute=per_minute)
