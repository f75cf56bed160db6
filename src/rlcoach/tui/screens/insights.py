"""Insights: the library's ranked findings over the user's recent games.

One row per finding of ``library.insights.library_insights`` (the same rules
as a single report's insights, judged over a window of games), most severe
first. The highlighted finding is spelled out under the list: its claim,
the numbers and every baseline with its source (the lobby's median and
spread, the user's own usual, the nearest rank mean with ballchasing's
caveat), the effect size and the games it rests on, and the one thing to
practise. Its moments (up to five, newest games first) are listed last;
Enter on one opens that game on its Timeline at that moment.

Playlists are not pooled: the view starts on the ranked playlist the user
plays most (``p`` steps through the others and "all playlists"). Rules that
could not judge (too few games, too little of what they count) are listed
when nothing was found, so an empty list says why.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from rlcoach.library.insights import LibraryInsights
from rlcoach.report.insights import fmt_value
from rlcoach.report.registry import BY_QUALIFIED
from rlcoach.tui import format as fmt
from rlcoach.tui.models import Status
from rlcoach.tui.screens.base import Cycle, DataView, Notice, playlist_choices

LASTS = [("last 20", 20), ("last 50", 50), ("last 200", 200)]
SEVERITY = {"high": ("▲▲", "bold red"), "medium": ("▲", "red"), "low": ("△", "yellow")}
BASIS = {"lobby": "lobby median", "history": "your usual", "rank": "nearest rank"}


class InsightsView(DataView):
    LABEL = "Insights"
    FOCUS = "#findings"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "cycle('playlist')", "Playlist"),
        Binding("l", "cycle('last')", "Range"),
        Binding("m", "moments", "Moments", show=False,
                tooltip="Into the highlighted finding's moments (enter on a finding too)"),
    ]

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.cycles = {"playlist": Cycle([("your main playlist", None)]), "last": Cycle(LASTS)}
        self._playlists_loaded = False
        self._found: LibraryInsights | None = None
        self._moments: list[dict[str, Any]] = []  # the highlighted finding's

    def compose(self) -> ComposeResult:
        yield Static(id="i-scope", classes="status")
        yield Notice(id="notice", markup=False)
        yield DataTable(id="findings", cursor_type="row", zebra_stripes=True)
        yield Static(id="finding", classes="label")
        yield DataTable(id="moments", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        findings = self.query_one("#findings", DataTable)
        findings.add_column("", key="severity")
        findings.add_column("Finding", key="claim")
        findings.add_column("Effect", key="effect")
        findings.add_column("Games", key="games")
        moments = self.query_one("#moments", DataTable)
        moments.add_column("Game", key="game")
        moments.add_column("Clock", key="clock")
        moments.add_column("What happened", key="what")

    def action_cycle(self, name: str) -> None:
        self.cycles[name].step()
        self.reload()

    def action_moments(self) -> None:
        self.query_one("#moments", DataTable).focus()

    def reload(self) -> None:
        # Read choices on the UI thread; the worker sees plain values.
        self._args = (self.cycles["playlist"].value, self.cycles["last"].value,
                      self._playlists_loaded)
        super().reload()

    def fetch(self) -> tuple[Status, LibraryInsights | None, list | None]:
        playlist, last, loaded = self._args
        data = self.dash.data
        status = data.status()
        if status.problem:
            return status, None, None
        options = None
        if not loaded:  # first load: start on the main playlist
            playlist = data.main_playlist()
            options = playlist_choices(data.playlists(), playlist)
        return status, data.insights(playlist, last), options

    def show(self, result: tuple[Status, LibraryInsights | None, list | None]) -> None:
        status, found, options = result
        if options is not None:
            self._playlists_loaded = True
            self.cycles["playlist"].options = options
            self.cycles["playlist"].index = 0
        self.query_one(Notice).say(status.problem)
        for widget in self.query(DataTable):
            widget.display = found is not None
        if found is None:
            return
        self._found = found
        self._render_findings()

    def on_resize(self) -> None:
        if self._found is not None:  # claims are cut to the width: redo at the new one
            self._render_findings()

    def _render_findings(self) -> None:
        found = self._found
        assert found is not None
        scope = self.cycles["playlist"].label
        self.query_one("#i-scope", Static).update(
            f"{scope} · your {self.cycles['last'].label} ({found.games} games) · "
            f"{len(found.findings)} finding{'s' if len(found.findings) != 1 else ''}")
        table = self.query_one("#findings", DataTable)
        cursor = table.cursor_row
        table.clear()
        width = max(20, self.size.width - 24)
        for i, f in enumerate(found.findings):
            mark, style = SEVERITY.get(f["severity"], ("·", ""))
            table.add_row(Text(mark, style=style), fmt.clip(f["claim"], width),
                          Text(f"{f['effect']:.1f}", justify="right"),
                          Text(str(f["n_games"]), justify="right"), key=str(i))
        # Shown even when empty: it holds the focus, so p and l work (the text
        # under it says why nothing was found).
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        self._detail(table.cursor_row)

    @on(DataTable.RowHighlighted, "#findings")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.cursor_row)

    def _detail(self, row: int) -> None:
        found = self._found
        detail = self.query_one("#finding", Static)
        moments = self.query_one("#moments", DataTable)
        moments.clear()
        if found is None:
            return
        if not found.findings:
            why = "; ".join(found.skipped[:4]) or "no rule found a gap of more than one spread"
            detail.update(Text.assemble(
                ("Nothing stands out in these games. ", "bold"), (f"Could not judge: {why}."
                                                                  if found.skipped else why,
                                                                  "dim")))
            moments.display = False
            return
        f = found.findings[max(0, min(row, len(found.findings) - 1))]
        detail.update(finding_text(f))
        moments.display = True
        for i, m in enumerate(f.get("moments") or []):
            moments.add_row(fmt.when(_date(m.get("played_at")), self.dash.now),
                            m.get("clock") or fmt.clock(m.get("time")), m.get("what", ""),
                            key=str(i))
        self._moments = list(f.get("moments") or [])

    @on(DataTable.RowSelected, "#moments")
    async def _open_moment(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self._moments):
            m = self._moments[event.cursor_row]
            if isinstance(m.get("game_id"), int):
                await self.dash.open_game(m["game_id"], at=m.get("time"))

    @on(DataTable.RowSelected, "#findings")
    def _into_moments(self, event: DataTable.RowSelected) -> None:
        self.action_moments()


def finding_text(f: dict[str, Any]) -> Text:
    """The claim, the numbers against each baseline, effect, games, the drill."""
    unit = BY_QUALIFIED[f["metric"]].unit if f["metric"] in BY_QUALIFIED else ""
    text = Text(f["claim"], style="bold")
    text.append(f"\nYou {fmt_value(f['value'], unit)}", "bold")
    for b in f.get("baselines") or []:
        spread = f" ±{fmt_value(b['spread'], unit)}" if b.get("spread") else ""
        basis = "lobby rate" if b.get("pooled") else BASIS.get(b["kind"], b["kind"])
        text.append(f" · {basis} {fmt_value(b['value'], unit)}"
                    f"{spread}", "")
        text.append(f" ({b['source']}, n={b['n']})", "dim")
    text.append(f"\nEffect {f['effect']:.1f} spreads ({f['severity']}) over "
                f"{f['n_games']} games.", "dim")
    text.append("\nPractise: ", "bold green")
    text.append(f["practice"])
    return text


def _date(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value) if isinstance(value, str) else None
