"""The ``rlcoach dashboard`` application.

Design:

* One ``MainScreen`` holds the five list views (Home, Games, Trends,
  Compare, Insights) in a ContentSwitcher; see ``screens.base`` for why those are not
  separate Textual screens (switch cost). A game opens on a ``GameScreen``
  pushed over it (installed once, reused). The command palette and the
  footer are Textual's own.
* All database reads happen in thread workers started by the views; the
  app only holds the ``DashboardData`` handle, the injected ``now`` and the
  theme.
* ``now`` is injected so relative dates and the "current session" do not
  depend on the wall clock in tests and snapshots.
* The library file is watched (by stat, every few seconds) so games added
  by ``rlcoach watch`` appear without a restart.
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
from textual.css.query import NoMatches
from textual.screen import Screen

from rlcoach.config import load_config
from rlcoach.errors import RlcoachError
from rlcoach.tui.commands import MetricCommands, RankCommands, target_tiers
from rlcoach.tui.data import DashboardData
from rlcoach.tui.screens.base import DataView
from rlcoach.tui.screens.coach import CoachScreen, coach_scope
from rlcoach.tui.screens.game import GameScreen
from rlcoach.tui.screens.main import MainScreen
from rlcoach.tui.screens.trends import TrendsView

THEMES = {"dark": "textual-dark", "light": "textual-light"}
LIBRARY_POLL_SECONDS = 5.0

NAVIGATION = (
    ("home", "Home", "h", "Recent games, current session, win rate and form"),
    ("games", "Games", "g", "Every game: sort, filter, open one"),
    ("trends", "Trends", "t", "Metrics game by game, with a rolling average"),
    ("compare", "Compare", "c", "You against your lobbies and ballchasing's rank means"),
    ("insights", "Insights", "i", "Ranked findings over your recent games, with their moments"),
)


class DashboardApp(App[None]):
    CSS_PATH = "dashboard.tcss"
    TITLE = "rlcoach"
    COMMANDS = App.COMMANDS | {MetricCommands, RankCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"show('{view}')", label, tooltip=help_)
          for view, label, key, help_ in NAVIGATION),
        # In the palette and the ? panel; the footer's 80 columns go to the views.
        Binding("d", "toggle_theme", "Theme", show=False,
                tooltip="Switch between dark and light"),
        Binding("a", "ask_coach", "Coach", show=False,
                tooltip="Ask the coach about this game, chart or your library"),
        Binding("k", "next_target_rank", "Rank", show=False,
                tooltip="Step the target rank (remembered in rlcoach.toml)"),
        Binding("r", "reload", "Reload", show=False),
        Binding("question_mark", "toggle_keys", "Keys", show=False,
                tooltip="Show or hide every key of the current view"),
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
        # No sliding underlines or smooth scrolls unless asked for: each animation
        # frame is a repaint, which a slow SSH session or a busy laptop feels.
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            self.animation_level = "none"

    def on_mount(self) -> None:
        self.install_screen(GameScreen(), name="game")
        self.push_screen(MainScreen(self._start))
        self.set_interval(LIBRARY_POLL_SECONDS, self.check_library)

    def check_library(self) -> None:
        """Reload when another process (``rlcoach watch``, ``ingest``) wrote.

        Compares file stamps only (three ``stat`` calls, no query), so it is
        cheap enough for the UI thread. A changed rlcoach.toml (a new identity,
        session gap) is applied the same way, without a restart.
        """
        if self.data.changed_on_disk():
            self.action_reload()
            self.notify("The library changed: reloaded.", timeout=3)
        if self.data.config_changed():
            try:
                config = load_config(self.data.config_path)
            except RlcoachError as exc:
                self.notify(f"rlcoach.toml not applied: {exc.message}", severity="error")
                return
            self.data.use_config(config)
            self.view.activated()
            self.notify("rlcoach.toml changed: applied.", timeout=3)

    @property
    def main(self) -> MainScreen:
        return next(s for s in self.screen_stack if isinstance(s, MainScreen))

    @property
    def game_screen(self) -> GameScreen:
        return self.get_screen("game")  # type: ignore[return-value]

    @property
    def view(self) -> DataView:
        """The view on display (tests and the benchmark wait on its ``loaded_at``)."""
        screen = self.screen
        if isinstance(screen, GameScreen):
            # query_one is cached until the DOM changes; a query() walked the
            # whole screen on every call (the benchmark polls this every ms).
            try:
                return screen.view
            except NoMatches:
                pass  # the game screen is still being composed
        return self.main.view

    async def action_show(self, view: str) -> None:
        if isinstance(self.screen, GameScreen):
            self.pop_screen()
        await self.main.show_view(view)

    async def chart_metric(self, qualified: str) -> None:
        """Show Trends with ``qualified`` charted (from the command palette)."""
        await self.main.show_view("trends")
        trends = self.main.query_one("#trends", TrendsView)
        trends.add_metric(qualified)

    async def open_game(self, game_id: int, at: float | None = None) -> None:
        """Show a game; with ``at`` (replay seconds), on its Timeline at that moment."""
        screen = self.game_screen
        if self.screen is not screen:
            await self.push_screen(screen)
        screen.view.open(game_id, at=at)

    def action_ask_coach(self) -> None:
        game, trend = coach_scope(self)
        self.push_screen(CoachScreen(game, trend))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "ask_coach":
            return not isinstance(self.screen, CoachScreen)
        # Hide the key of the view we are on: 80 columns of footer are precious.
        if action == "show" and isinstance(self.screen, MainScreen):
            return parameters[0] != self.screen.current
        return True

    def action_toggle_keys(self) -> None:
        # Textual's own key panel: lists every binding, including hidden ones.
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_next_target_rank(self) -> None:
        tiers = target_tiers()
        current = self.data.target_rank
        nxt = tiers[(tiers.index(current) + 1) % len(tiers)] if current in tiers else \
            tiers[len(tiers) // 2]
        self.set_target_rank(nxt)

    def set_target_rank(self, tier: str) -> None:
        """Remember ``tier`` in rlcoach.toml; every view reloads with it."""
        try:
            self.data.set_target_rank(tier)
        except RlcoachError as exc:
            self.notify(f"Target rank not saved: {exc.message}", severity="error")
            return
        self.notify(f"Target rank: {tier} (saved in {self.data.config_path})", timeout=3)
        self.view.activated()

    def action_toggle_theme(self) -> None:
        self.theme = THEMES["light"] if self.theme == THEMES["dark"] else THEMES["dark"]

    def action_reload(self) -> None:
        """Read the library again; the visible view now, the others when shown."""
        self.data.invalidate()
        self.view.activated()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for view, label, _key, help_ in NAVIGATION:
            yield SystemCommand(f"Go to {label}", help_,
                                lambda view=view: self.action_show(view))
        if not isinstance(screen, CoachScreen):
            yield SystemCommand("Ask the coach", "About this game, the charted metrics, or your "
                                "library (key a)", self.action_ask_coach)
        yield SystemCommand("Toggle dark/light theme", "Switch between the dark and light themes",
                            self.action_toggle_theme)
        yield SystemCommand("Reload data", "Read the library again (after an ingest)",
                            self.action_reload)
        yield from super().get_system_commands(screen)
