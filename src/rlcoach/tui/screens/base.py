"""The pattern every dashboard view follows to read data.

The views (Home, Games, Game, Trends, Compare) are containers inside one
``MainScreen`` ``ContentSwitcher``, not separate Textual screens: they are
all mounted, styled and loaded in the background right after the first one
is painted, so switching views only toggles which one is displayed (tens of
milliseconds on 2,000 games), never a compose, a CSS pass or a query.

``fetch`` runs in a thread worker (never on the UI thread: a query that
takes 40 ms would freeze keys and repaint for 40 ms) and returns a view
model; ``show`` runs on the UI thread with it. ``exclusive=True`` cancels a
load that a newer one made stale (typing in a filter starts one per key).
A view loads when mounted and again when it is shown after the library
generation moved on (the "Reload" command bumps it).

Views expose ``loaded_at`` (perf_counter when ``show`` finished) and
``timings`` so the benchmark and tests can wait for real data, not sleep.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from rlcoach.errors import RlcoachError
from rlcoach.tui import format as fmt

if TYPE_CHECKING:
    from rlcoach.tui.app import DashboardApp


class Notice(Static):
    """A full-width message in place of data (not configured, empty, error)."""

    DEFAULT_CSS = """
    Notice { padding: 1 2; color: $text-warning; display: none; }
    Notice.-shown { display: block; }
    """

    def say(self, message: str | None) -> None:
        self.update(message or "")
        self.set_class(bool(message), "-shown")


class Cycle:
    """A choice cycled with one key and shown as text: lighter than a Select
    (no overlay widgets to build) and keyboard-first."""

    def __init__(self, options: list[tuple[str, Any]], index: int = 0) -> None:
        self.options = options
        self.index = index

    @property
    def value(self) -> Any:
        return self.options[self.index][1]

    @property
    def label(self) -> str:
        return self.options[self.index][0]

    def step(self) -> None:
        self.index = (self.index + 1) % len(self.options)


def playlist_choices(playlists: list[tuple[str, int]],
                     main: str | None) -> list[tuple[str, str | None]]:
    """Views that compare numbers: the main playlist first, the others by games played,
    and all of them pooled last (only when asked: 1v1 and 3v3 numbers differ too much).

    Without a main (ranked) playlist they start on all playlists pooled.
    """
    ordered = sorted(playlists, key=lambda p: (p[0] != main, -p[1]))
    named: list[tuple[str, str | None]] = [(f"{fmt.playlist_name(p)} ({n})", p)
                                           for p, n in ordered]
    pooled: list[tuple[str, str | None]] = [("all playlists", None)]
    return named + pooled if main is not None else pooled + named


class DataView(Vertical):
    class Loaded(Message):
        """Posted after ``show`` ran (or an error was shown)."""

        def __init__(self, view: DataView) -> None:
            super().__init__()
            self.view = view

    LABEL: ClassVar[str] = ""
    FOCUS: ClassVar[str | None] = None  # what gets focus when the view is shown
    LOAD_ON_MOUNT: ClassVar[bool] = True

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.loaded_at: float | None = None
        self.timings: dict[str, float] = {}  # ms of the last load: fetch (worker), show (UI)
        self.loads = 0  # loads started (tests check that typing is debounced)
        self._generation = -1

    @property
    def dash(self) -> DashboardApp:
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        if self.LOAD_ON_MOUNT:
            self.reload()

    def activated(self) -> None:
        """Called by MainScreen when this view becomes the visible one."""
        if self.LOAD_ON_MOUNT and self._generation != self.dash.data.generation:
            self.reload()
        if self.FOCUS:
            self.query_one(self.FOCUS).focus()

    def reload(self) -> None:
        self._generation = self.dash.data.generation
        self.loads += 1
        self._load()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self) -> None:
        start = time.perf_counter()
        try:
            result = self.fetch()
        except RlcoachError as exc:
            message = exc.message + (f"\n{exc.hint}" if exc.hint else "")
            self.app.call_from_thread(self._failed, message)
            return
        self.timings["fetch"] = (time.perf_counter() - start) * 1000
        if not get_current_worker().is_cancelled:  # a newer load superseded this one
            self.app.call_from_thread(self._show, result)

    def _show(self, result: Any) -> None:
        start = time.perf_counter()
        self.guarded(self.show, result)
        self.loaded_at = time.perf_counter()
        self.timings["show"] = (self.loaded_at - start) * 1000
        self.post_message(self.Loaded(self))

    def guarded(self, render: Callable[..., None], *args: Any) -> None:
        """Run a rendering step; if the data surprises it, say so in the view.

        One odd report (a field of an unexpected type) must not take the
        whole dashboard down with it.
        """
        try:
            render(*args)
        except Exception as exc:
            self.log.error(f"{type(self).__name__}: {exc!r}")
            self.show_error(f"Could not show this: {type(exc).__name__}: {exc}")

    def _failed(self, message: str) -> None:
        self.show_error(message)
        self.loaded_at = time.perf_counter()
        self.post_message(self.Loaded(self))

    # Subclasses implement these two.
    def fetch(self) -> Any:  # runs in a worker thread
        raise NotImplementedError

    def show(self, result: Any) -> None:  # runs on the UI thread
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        for notice in self.query(Notice):
            notice.say(message)
            break
