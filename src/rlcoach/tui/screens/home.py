"""Home: how am I doing lately?

Win rate (all games and the last 20), the current session, form as a W/L
strip plus a sparkline of goal difference, the user's average key stats and
the most recent games (Enter opens one). One worker call loads all of it.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Sparkline, Static

from rlcoach.report.registry import BY_QUALIFIED
from rlcoach.tui import format as fmt
from rlcoach.tui.models import ROW_STATS, HomeData
from rlcoach.tui.screens.base import DataView, Notice
from rlcoach.tui.widgets.tables import add_game_rows, game_columns


class HomeView(DataView):
    LABEL = "Home"
    FOCUS = "#recent"  # letter keys must reach the bindings, not an Input

    def compose(self) -> ComposeResult:
        yield Notice(id="notice", markup=False)
        with Vertical(id="home-body"):
            with Horizontal(id="home-summary"):
                yield Static(id="winrate", classes="card")
                yield Static(id="session", classes="card")
            with Horizontal(id="form-row"):
                yield Static(id="form", classes="label")
                yield Sparkline([], id="form-spark")
            yield Static(id="averages", classes="label")
            yield DataTable(id="recent", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        game_columns(self.query_one("#recent", DataTable))

    def fetch(self) -> HomeData:
        return self.dash.data.home(self.dash.now)

    def show(self, data: HomeData) -> None:
        problem = data.status.problem
        self.query_one(Notice).say(problem)
        self.query_one("#home-body").display = problem is None
        if problem:
            return
        now = self.dash.now
        o, l20 = data.overall, data.last20
        self.query_one("#winrate", Static).update(Text.assemble(
            ("Win rate ", "bold"), (fmt.pct(o.wins, o.wins + o.losses), "bold"),
            f"  {o.wins}W {o.losses}L of {o.games}\n",
            ("Last 20  ", "bold"), (fmt.pct(l20.wins, l20.wins + l20.losses), "bold"),
            f"  {l20.wins}W {l20.losses}L",
        ))
        s = data.session
        if s is None:
            session = Text("No session yet.")
        else:
            state = ("now", "bold green") if s.active else (f"ended {fmt.when(s.end, now)}", "dim")
            session = Text.assemble(
                ("Session ", "bold"), state, f"  since {s.start:%H:%M}\n",
                f"{s.games} game{'s' if s.games != 1 else ''}  ",
                (f"{s.wins}W", "green"), " ", (f"{s.losses}L", "red"),
                f"  {fmt.pct(s.wins, s.wins + s.losses)}",
            )
        self.query_one("#session", Static).update(session)
        strip = Text("Form ", style="bold")
        for mark in reversed(data.form):  # oldest -> newest, left to right
            strip.append(mark, fmt.result_style({"W": "W", "L": "L"}.get(mark)))
        strip.append("  goal diff ▸", "dim")
        self.query_one("#form", Static).update(strip)
        spark = self.query_one("#form-spark", Sparkline)
        spark.data = list(data.form_diff)
        averages = Text("Your averages (last 50): ", style="bold")
        for key in ROW_STATS:
            m = BY_QUALIFIED[key]
            averages.append(f"{m.label} ", "dim")
            averages.append(f"{fmt.mean_value(m, data.averages.get(key))}  ")
        self.query_one("#averages", Static).update(averages)
        table = self.query_one("#recent", DataTable)
        table.clear()
        add_game_rows(table, data.recent, now)

    async def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            await self.dash.open_game(int(event.row_key.value))
