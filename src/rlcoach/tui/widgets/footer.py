"""Textual's footer, composed once per set of keys instead of on every change.

Textual's ``Footer`` recomposes whenever the screen's bindings change (every
view switch here, often twice: the view, then the focus moves): it removes
its ~20 ``FooterKey`` widgets and mounts, styles and lays out new ones. On
a 2,000-game library that was 30-50 ms of every 60-130 ms view switch and
~100 ms of leaving a game (measured under load 2.5 on 2 cores, with the
footer's recompose stubbed out as the control).

This footer keeps one page of keys per distinct set of shown bindings (a
few per view) and, on a change, only shows the matching page: a display
toggle, like the views' own ``ContentSwitcher``. A page is built by
Textual's own ``Footer.compose``, so the keys look and click the same. The
pages are bounded by the distinct key sets the app has, and none is ever
removed, which also avoids the old leak: each recomposed key added a
``compact`` watcher to the footer that Textual never pruned (RSS 75 -> 120
MB over 100 switches).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.compose import compose
from textual.containers import Horizontal
from textual.widgets import Footer as TextualFooter


class FooterPage(Horizontal):
    """One set of keys, laid out as Textual's footer lays out its children."""

    DEFAULT_CSS = """
    FooterPage { width: auto; min-width: 100%; height: 1; background: transparent; }
    """


class Footer(TextualFooter):
    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._pages: dict[tuple, FooterPage] = {}
        self._shown: FooterPage | None = None
        self._building = False

    def compose(self) -> ComposeResult:
        if self._building:  # a new page's keys; else nothing: pages are mounted by recompose
            yield from super().compose()

    def _signature(self) -> tuple:
        """Everything the keys' look depends on, in display order."""
        app = self.app
        shown = tuple(
            (b.key, b.action, b.description, enabled, tooltip, app.get_key_display(b),
             b.group and (b.group.description, b.group.compact))
            for _node, b, enabled, tooltip in self.screen.active_bindings.values()
            if b.show or b.key == app.COMMAND_PALETTE_BINDING)
        return (self.compact, self.show_command_palette, shown)

    async def recompose(self) -> None:
        if not self.is_attached or self._pruning or not self._bindings_ready:
            return
        key = self._signature()
        page = self._pages.get(key)
        if page is None:
            self._building = True
            try:
                page = FooterPage(*compose(self))
            finally:
                self._building = False
            self._pages[key] = page
            await self.mount(page)
        if page is not self._shown:
            if self._shown is not None:
                self._shown.display = False
            page.display = True
            self._shown = page

