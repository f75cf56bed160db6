"""The ``rlcoach dashboard`` application.

Design:

* Four top-level screens are Textual *modes* (Home, Games, Trends, Compare),
  each with its own screen stack: switching keeps a screen and its loaded
  data alive, so a switch is a repaint, not a query. The Game screen is
  pushed on top of whichever mode opened it; Escape goes back.
* All database reads happen in thread workers started by the screens (see
  ``screens.base``); the app only holds the ``DashboardData`` handle, the
  injected ``now`` and the theme.
* ``now`` is injected so relative dates and the "current session" do not
  depend on the wall clock in tests and snapshots.
* Keys are single letters shown in the footer; everything is also in the
  command palette (ctrl+p), including the dark/light toggle.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from rlcoach.tui.data import DashboardData
from rlcoach.tui.screens.compare import CompareScreen
from rlcoach.tui.screens.games import GamesScreen
from rlcoach.tui.screens.home import HomeScreen
from rlcoach.tui.screens.trends import TrendsScreen

THEMES = {"dark": "textual-dark", "light": "textual-light"}

SCREENS = (
    ("home", "Home", "h", "Recent games, current session, win rate and form"),
    ("games", "Games", "g", "Every game: sort, filter, open one"),
    ("trends", "Trends", "t", "A metric game by game, with a rolling average"),
    ("compare", "Compare", "c", "You against your lobbies and ballchasing's rank means"),
)


class DashboardApp(App[None]):
    CSS_PATH = "dashboard.tcss"
    TITLE = "rlcoach"
    MODES: ClassVar = {
        "home": HomeScreen, "games": GamesScreen, "trends": TrendsScreen,
        "compare": CompareScreen,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"switch_mode('{mode}')", label, tooltip=help_)
          for mode, label, key, help_ in SCREENS),
        Binding("d", "toggle_theme", "Theme", tooltip="Switch between dark and light"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, data: DashboardData, *, now: datetime | None = None,
                 theme: str = "dark", start: str = "home") -> None:
        super().__init__()
        self.data = data
        # Fixed for the whole run: "today" must not change under a snapshot.
        self.now = now or datetime.now().replace(microsecond=0)
        self.theme = THEMES.get(theme, theme)
        self._start = start
        self._prefetched = False
        # No sliding underlines or smooth scrolls unless asked for: each animation
        # frame is a repaint, which a slow SSH session or a busy laptop feels.
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            self.animation_level = "none"

    def on_mount(self) -> None:
        self.switch_mode(self._start)

    def start_prefetch(self) -> None:
        """Warm every screen's default data once Home is up (see ``DashboardData``)."""
        if not self._prefetched:
            self._prefetched = True
            self.run_worker(lambda: self.data.prefetch(self.now), thread=True,
                            group="prefetch", exit_on_error=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Hide the key of the screen we are on: 80 columns of footer are precious.
        return not (action == "switch_mode" and parameters
                    and parameters[0] == self.current_mode)

    def action_toggle_theme(self) -> None:
        self.theme = THEMES["light"] if self.theme == THEMES["dark"] else THEMES["dark"]

    def open_game(self, game_id: int) -> None:
        from rlcoach.tui.screens.game import GameScreen

        self.push_screen(GameScreen(game_id))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for mode, label, _key, help_ in SCREENS:
            yield SystemCommand(f"Go to {label}", help_,
                                lambda mode=mode: self.switch_mode(mode))  # type: ignore[misc]
        yield SystemCommand("Toggle dark/light theme", "Switch between the dark and light themes",
                            self.action_toggle_theme)
        yield SystemCommand("Reload data", "Read the library again (after an ingest)",
                            self.action_reload)
        yield from super().get_system_commands(screen)

    def action_reload(self) -> None:
        self.data.invalidate()
        for screen in self.screen_stack:
            reload = getattr(screen, "reload", None)
            if reload is not None:
                reload()
