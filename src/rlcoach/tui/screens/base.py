"""The pattern every dashboard screen follows to read data.

``fetch`` runs in a thread worker (never on the UI thread: a query that
takes 40 ms would freeze keys and repaint for 40 ms) and returns a view
model; ``show`` runs on the UI thread with it. ``exclusive=True`` cancels a
load that a newer one made stale (typing in a filter starts one per key).
A screen reloads when it is shown and the library generation moved on (the
"Reload" command bumps it), so switching screens normally costs no query.

Screens expose ``loaded_at`` (perf_counter when ``show`` finished) so the
benchmark and tests can wait for real data, not for a fixed sleep.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import get_current_worker

from rlcoach.errors import RlcoachError

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


class DataScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "app.reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded_at: float | None = None
        self.timings: dict[str, float] = {}  # ms of the last load: fetch (worker), show (UI)
        self._generation = -1

    @property
    def dash(self) -> DashboardApp:
        return self.app  # type: ignore[return-value]

    def compose_header(self) -> ComposeResult:
        yield Header(icon="⚽")

    def compose_footer(self) -> ComposeResult:
        yield Footer(compact=True)  # 80 columns must show every key

    def on_screen_resume(self) -> None:
        if self._generation != self.dash.data.generation:
            self.reload()

    def reload(self) -> None:
        self._generation = self.dash.data.generation
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
        self.show(result)
        self.loaded_at = time.perf_counter()
        self.timings["show"] = (self.loaded_at - start) * 1000

    def _failed(self, message: str) -> None:
        self.show_error(message)
        self.loaded_at = time.perf_counter()

    # Subclasses implement these two.
    def fetch(self) -> Any:  # runs in a worker thread
        raise NotImplementedError

    def show(self, result: Any) -> None:  # runs on the UI thread
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        for notice in self.query(Notice):
            notice.say(message)
            break
