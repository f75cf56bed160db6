"""The main screen: header, the five views in a ContentSwitcher, footer.

Only the starting view is composed with the screen, so the first paint
waits for nothing else; the other views are added (hidden) right after that
paint and load their data in the background. From then on a switch is a
``ContentSwitcher.current`` change. A game opens on its own screen
(``screens.game.GameScreen``) pushed over this one, so Escape pops back to
exactly the view, cursor and filters it was opened from.
"""

from __future__ import annotations

import asyncio
import gc

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Header

from rlcoach.tui.screens.base import DataView
from rlcoach.tui.screens.compare import CompareView
from rlcoach.tui.screens.games import GamesView
from rlcoach.tui.screens.home import HomeView
from rlcoach.tui.screens.insights import InsightsView
from rlcoach.tui.screens.trends import TrendsView
from rlcoach.tui.widgets.footer import Footer

VIEWS: dict[str, type[DataView]] = {
    "home": HomeView, "games": GamesView, "trends": TrendsView, "compare": CompareView,
    "insights": InsightsView,
}


class MainScreen(Screen[None]):
    def __init__(self, start: str = "home") -> None:
        super().__init__()
        self.start = start
        self._frozen = False
        self._mount_lock = asyncio.Lock()
        self._rest_requested = False

    def compose(self) -> ComposeResult:
        yield Header(icon="⚽")
        with ContentSwitcher(initial=self.start, id="views"):
            yield VIEWS[self.start](id=self.start)
        yield Footer(compact=True)  # 80 columns must show every key

    def on_mount(self) -> None:
        self._titled(self.start)
        self.call_after_refresh(self.view.activated)

    def on_data_view_loaded(self, message: DataView.Loaded) -> None:
        # The rest mount only once the first view has data on screen: mounted
        # earlier, their loads would compete with it (one GIL, one database).
        if message.view.id == self.start and not self._rest_requested:
            self._rest_requested = True
            self.call_after_refresh(self._mount_the_rest)

    async def _mount_the_rest(self) -> None:
        # Called from the first load and from early key presses: one at a time,
        # or two callers would both mount the same view.
        async with self._mount_lock:
            switcher = self.query_one(ContentSwitcher)
            for name, view in VIEWS.items():
                if not switcher.query_children(f"#{name}"):
                    await switcher.add_content(view(id=name))
            # Everything mounted now lives as long as the app: move it out of
            # the collector's sight, so later collections (every few hundred
            # allocations while rendering) do not walk thousands of widgets.
            # Once: freezing on every switch would also pin each switch's
            # garbage for good (memory grew by 290 MB over 240 switches).
            if not self._frozen:
                self._frozen = True
                gc.collect()
                gc.freeze()

    def on_unmount(self) -> None:
        if self._frozen:
            gc.unfreeze()  # hand the widgets back to the collector (tests run many apps)

    @property
    def current(self) -> str:
        return self.query_one(ContentSwitcher).current or self.start

    @property
    def view(self) -> DataView:
        return self.query_one(f"#{self.current}", DataView)

    async def show_view(self, name: str) -> None:
        if name == self.current:
            return
        await self._mount_the_rest()  # a key pressed before the first paint finished
        self.query_one(ContentSwitcher).current = name
        self._titled(name)
        self.view.activated()
        self.app.refresh_bindings()

    def _titled(self, name: str) -> None:
        self.title = VIEWS[name].LABEL
