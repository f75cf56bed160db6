"""Follow replay folders and ingest each new replay once it is complete.

The game writes a replay when a match ends, and a slow disk or a network
share may show the file before it is whole. Filesystem events only tell us
*which* files to look at; a file is ingested once its (size, mtime) has
stayed the same for ``stable_seconds`` (``StabilityTracker``), so a file
still being written is never read half-way. Events come from a watchdog
``Observer`` (inotify, FSEvents, ReadDirectoryChangesW) or, with
``poll=True``, a ``PollingObserver`` for network drives where native
events do not arrive.

Ingest itself is ``rlcoach.library.ingest.ingest`` on the ready files, so
dedupe, failure bookkeeping and resumability are the same as ``rlcoach
ingest``. ``catch_up`` does the same for the replays already in the folders
when watching starts (known files cost a stat each), so a game saved while
nothing was watching is not left out. ``on_game`` hears about each new game
with the user's notable stats; rendering it is the CLI's job.
"""

from __future__ import annotations

import stat
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlcoach.config import Config, load_config
from rlcoach.errors import InputError
from rlcoach.library.db import Library
from rlcoach.library.ingest import FileResult, IngestSummary, ingest
from rlcoach.library.queries import GameRow, Notable, game_row, notable_stats

REPLAY_SUFFIX = ".replay"
_WRITE_EVENTS = frozenset({"created", "modified", "moved", "closed"})


@dataclass(frozen=True)
class GameNews:
    """A game that just arrived, with what stood out about it."""

    game: GameRow
    notables: list[Notable]


class StabilityTracker:
    """Files become ready once (size, mtime) is unchanged for a while.

    ``clock`` is injectable so the rule can be tested without sleeping.
    """

    def __init__(self, stable_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stable_seconds = stable_seconds
        self.clock = clock
        self._lock = threading.Lock()  # touched from the observer thread
        self._pending: dict[Path, tuple[tuple[int, int] | None, float]] = {}

    def touch(self, path: Path) -> None:
        with self._lock:
            self._pending[path] = (None, self.clock())

    @property
    def pending(self) -> list[Path]:
        with self._lock:
            return list(self._pending)

    def ready(self) -> list[Path]:
        """Files stable long enough; they leave the tracker."""
        now = self.clock()
        done: list[Path] = []
        with self._lock:
            for path, (last, since) in list(self._pending.items()):
                try:
                    st = path.stat()
                except OSError:  # deleted or renamed away: forget it
                    del self._pending[path]
                    continue
                # mtime in ns: a rewrite of the same size still counts as a change.
                current = (st.st_size, st.st_mtime_ns)
                if current != last:
                    self._pending[path] = (current, now)
                elif st.st_size > 0 and now - since >= self.stable_seconds:
                    del self._pending[path]
                    done.append(path)
        return done


class Watcher:
    """Watch folders; call ``step()`` (or ``run()``) to ingest what is ready."""

    def __init__(
        self, library: Library, folders: Sequence[Path], *, stable_seconds: float = 2.0,
        poll: bool = False, poll_interval: float = 1.0, jobs: int | None = 1,
        config: Config | None = None,
        on_game: Callable[[GameNews], None] | None = None,
        on_file: Callable[[FileResult], None] | None = None,
        tracker: StabilityTracker | None = None,
    ) -> None:
        missing = [str(f) for f in folders if not Path(f).is_dir()]
        if missing:
            raise InputError(f"not a folder: {', '.join(missing)}",
                             hint="Pass an existing replay folder, e.g. your Demos folder.")
        self.library = library
        self.folders = [Path(f).resolve() for f in folders]
        self.config = config or load_config()
        self.jobs = jobs
        self.on_game = on_game
        self.on_file = on_file
        self.tracker = tracker or StabilityTracker(stable_seconds)
        self._poll = poll
        self._poll_interval = poll_interval
        self._observer: Any = None

    def start(self) -> None:
        from watchdog.events import FileSystemEvent, FileSystemEventHandler

        tracker = self.tracker

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.is_directory:
                    return
                # A move's destination is the name that matters (the game or
                # a sync tool may write a temp file and rename it).
                target = getattr(event, "dest_path", "") or event.src_path
                if isinstance(target, bytes):
                    target = target.decode(errors="replace")
                # Only writes: our own reads (ingest hashing a file) raise
                # "opened"/"closed_no_write" events that must not re-queue it.
                if event.event_type in _WRITE_EVENTS and str(target).endswith(REPLAY_SUFFIX):
                    tracker.touch(Path(target))

        if self._poll:
            from watchdog.observers.polling import PollingObserver

            observer: Any = PollingObserver(timeout=self._poll_interval)
        else:
            from watchdog.observers import Observer

            observer = Observer()
        for folder in self.folders:
            observer.schedule(Handler(), str(folder), recursive=False)
        observer.start()
        self._observer = observer

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None

    def catch_up(self, on_result: Callable[[FileResult], None] | None = None
                 ) -> IngestSummary | None:
        """Ingest the replays already in the folders; None when there are none.

        A file modified within ``stable_seconds`` may still be being written,
        so it goes to the tracker like a new one instead. Start the observer
        first (``start()`` or ``with watcher:``) so nothing saved meanwhile is
        missed.
        """
        now = time.time()
        settled: list[Path] = []
        for folder in self.folders:
            for path in sorted(folder.glob(f"*{REPLAY_SUFFIX}")):
                try:
                    st = path.stat()
                except OSError:
                    continue
                if not stat.S_ISREG(st.st_mode):
                    continue
                if now - st.st_mtime < self.tracker.stable_seconds:
                    self.tracker.touch(path)
                else:
                    settled.append(path)
        if not settled:
            return None
        return ingest(self.library, settled, jobs=self.jobs, config=self.config,
                      on_result=on_result)

    def step(self) -> list[FileResult]:
        """Ingest every file that has become stable; returns what happened."""
        ready = self.tracker.ready()
        if not ready:
            return []
        summary = ingest(self.library, ready, jobs=self.jobs, config=self.config,
                         on_result=self.on_file)
        for game_id in summary.new_game_ids:
            if self.on_game is not None:
                news = GameNews(game_row(self.library, game_id, identity=self.config.identity),
                                notable_stats(self.library, game_id,
                                              identity=self.config.identity))
                self.on_game(news)
        return summary.results

    def follow(self, stop: threading.Event, tick: float = 0.25) -> None:
        """Step until ``stop`` is set (Ctrl-C in the CLI); the observer must be running."""
        while not stop.wait(tick):
            self.step()

    def run(self, stop: threading.Event, tick: float = 0.25) -> None:
        """Start watching, step until ``stop`` is set, stop watching."""
        with self:
            self.follow(stop, tick)

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
