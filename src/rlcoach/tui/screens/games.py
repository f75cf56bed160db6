"""Games: every game in the library, sortable and filterable.

The filter bar (text, playlist, result, teammate, date range) becomes a
library ``GameFilter``; sorting and filtering run in SQL in a worker. The
table starts with one page (``data.GAMES_PAGE`` rows) and fetches the next
when the cursor nears the end, so 2,000 games cost no more to open than
200. Typing is debounced (``TYPING_PAUSE``): a load starts once the keys
pause, and each new load cancels a stale one (exclusive workers).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import DataTable, Input, Select, Static

from rlcoach.library.filters import GameFilter
from rlcoach.tui import format as fmt
from rlcoach.tui.models import Status
from rlcoach.tui.screens.base import DataView, Notice
from rlcoach.tui.widgets.tables import SORT_KEYS, add_game_rows, game_columns

RESULTS = [("Wins", "win"), ("Losses", "loss")]
TYPING_PAUSE = 0.15  # s without a key before a search runs: one query per word, not per key


def parse_day(text: str) -> date | None:
    """A YYYY-MM-DD day, or None for an empty box; ValueError otherwise."""
    text = text.strip()
    return date.fromisoformat(text) if text else None


class GamesView(DataView):
    LABEL = "Games"
    FOCUS = "#game-list"  # letter keys must reach the bindings, not an Input
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search"),
        Binding("s", "sort_next", "Sort"),
        Binding("S", "sort_reverse", "Reverse", show=False),
        Binding("x", "clear_filters", "Clear", tooltip="Clear every filter"),
        Binding("escape", "focus_table", "Table", show=False),
        # Same letters as Trends and Compare; hidden to keep 80 columns of footer.
        Binding("p", "cycle('#f-playlist')", "Playlist", show=False),
        Binding("w", "cycle('#f-result')", "Wins/losses", show=False),
    ]

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.sort = "date"
        self.descending = True
        self._playlists_loaded = False
        self._offset = 0  # first row the next fetch asks for
        self._total = 0
        self._filter = GameFilter()
        self._typing: Timer | None = None
        self._choices: dict[str, list[str]] = {  # what p / w step through
            "#f-playlist": [], "#f-result": [value for _, value in RESULTS]}

    def compose(self) -> ComposeResult:
        with Horizontal(classes="filters"):
            yield Input(placeholder="/ search map, player…", id="f-text", compact=True)
            yield Select([], prompt="Any playlist", id="f-playlist", compact=True)
            yield Select(RESULTS, prompt="Any result", id="f-result", compact=True)
        with Horizontal(classes="filters"):
            yield Input(placeholder="teammate", id="f-mate", compact=True)
            yield Input(placeholder="from YYYY-MM-DD", id="f-since", compact=True)
            yield Input(placeholder="to YYYY-MM-DD", id="f-until", compact=True)
        yield Static(id="games-status", classes="status", markup=False)
        yield Notice(id="notice", markup=False)
        yield DataTable(id="game-list", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        game_columns(self.query_one("#game-list", DataTable))

    # -- filters --------------------------------------------------------------

    def current_filter(self) -> GameFilter | None:
        """The filter bar as a GameFilter; None when a date box is invalid."""
        text = self.query_one("#f-text", Input).value.strip()
        mate = self.query_one("#f-mate", Input).value.strip()
        playlist = self.query_one("#f-playlist", Select).value
        result = self.query_one("#f-result", Select).value
        ok = True
        days: list[date | None] = []
        for box_id in ("#f-since", "#f-until"):
            box = self.query_one(box_id, Input)
            try:
                days.append(parse_day(box.value))
                box.remove_class("-invalid")
            except ValueError:
                days.append(None)
                box.add_class("-invalid")
                ok = False
        if not ok:
            return None
        return GameFilter(
            playlist=playlist if isinstance(playlist, str) else None,
            result=result if isinstance(result, str) else None,  # type: ignore[arg-type]
            text=text or None, teammate=mate or None, since=days[0], until=days[1],
        )

    @on(Input.Changed)
    def _typed(self) -> None:
        if self._typing is not None:
            self._typing.stop()
        self._typing = self.set_timer(TYPING_PAUSE, self._filters_changed)

    @on(Select.Changed)
    def _filters_changed(self) -> None:
        self._typing = None
        if self.loaded_at is not None:  # ignore the Selects settling during mount
            self.reload()

    # -- loading ----------------------------------------------------------------

    def fetch(self) -> tuple:
        data = self.dash.data
        playlists = None if self._playlists_loaded else data.playlists()
        offset = self._offset
        status, rows, total = data.games(self._filter, self.sort, self.descending, offset)
        return status, rows, total, playlists, offset

    def reload(self) -> None:
        flt = self.current_filter() if self.is_mounted else GameFilter()
        if flt is None:
            self.query_one("#games-status", Static).update("Dates are YYYY-MM-DD.")
            return
        self._filter = flt  # read by the worker; widgets are only touched here
        self._offset = 0
        super().reload()

    def _load_more(self) -> None:
        table = self.query_one("#game-list", DataTable)
        if self._offset < table.row_count < self._total:
            self._offset = table.row_count
            self._load()

    def show(self, result: tuple) -> None:
        status, rows, total, playlists, offset = result
        if playlists is not None:
            self._playlists_loaded = True
            select = self.query_one("#f-playlist", Select)
            with select.prevent(Select.Changed):
                select.set_options([(f"{fmt.playlist_name(p)} ({n})", p) for p, n in playlists])
            self._choices["#f-playlist"] = [p for p, _ in playlists]
        problem = status.problem if status.games == 0 else None
        self.query_one(Notice).say(problem)
        table = self.query_one("#game-list", DataTable)
        table.display = problem is None
        if offset == 0:
            table.clear()
        elif offset != table.row_count:
            return  # a page for a table that has since been reloaded
        add_game_rows(table, rows, self.dash.now)
        self._total = total
        line = self.query_one("#games-status", Static)
        line.display = problem is None
        line.update(self._status_line(status, table.row_count, total))

    def _status_line(self, status: Status, shown: int, total: int) -> str:
        label = next((c.label for c in self.query_one("#game-list", DataTable).columns.values()
                      if c.key.value == self.sort), self.sort)
        arrow = "↓" if self.descending else "↑"
        if total == 0:  # said in words: an empty table reads as "still loading"
            return "No games match these filters · x clears them"
        count = f"{total} games" if shown == total else f"{total} games ({shown} loaded)"
        note = "" if status.identity_configured else " · no [identity] in rlcoach.toml: no results"
        return f"{count} · sorted by {label} {arrow}{note}"

    # -- actions ------------------------------------------------------------------

    def action_cycle(self, selector: str) -> None:
        """Step a filter Select to its next option (blank, then each in turn)."""
        select: Select[str] = self.query_one(selector, Select)
        values: list[str | None] = [None, *self._choices[selector]]
        current = None if select.is_blank() else select.value
        nxt = values[(values.index(current) + 1) % len(values)] if current in values else None
        if nxt is None:
            select.clear()
        else:
            select.value = nxt

    def action_focus_search(self) -> None:
        self.query_one("#f-text", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one("#game-list", DataTable).focus()

    def action_sort_next(self) -> None:
        keys = list(SORT_KEYS)
        self.sort = keys[(keys.index(self.sort) + 1) % len(keys)] if self.sort in keys else "date"
        self.descending = self.sort != "playlist" and self.sort != "map"
        self.reload()

    def action_sort_reverse(self) -> None:
        self.descending = not self.descending
        self.reload()

    def action_clear_filters(self) -> None:
        for box in self.query(Input):
            box.value = ""
        for select in self.query(Select):
            select.clear()
        self.reload()

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value
        if key in SORT_KEYS:
            self.descending = not self.descending if key == self.sort else True
            self.sort = key
            self.reload()

    @on(DataTable.RowHighlighted)
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= event.data_table.row_count - 30:
            self._load_more()

    @on(DataTable.RowSelected)
    async def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            await self.dash.open_game(int(event.row_key.value))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_focus_table()
