"""Home: what to work on, and how am I doing lately?

First the three focus areas (``tui.focus``): where the user trails their
lobbies most over recent ranked games of their main playlist, each with the
games that show it most (Enter on one opens the worst of them). Then win
rate (all games and the last 20), the current session, form as a W/L strip
plus a sparkline of goal difference, the user's average key stats and the
most recent games (Enter opens one). One worker call loads all of it.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Sparkline, Static
from textual.worker import get_current_worker

from rlcoach.errors import RlcoachError
from rlcoach.report.registry import BY_QUALIFIED
from rlcoach.tui import format as fmt
from rlcoach.tui.focus import FocusArea
from rlcoach.tui.models import ROW_STATS, HomeData
from rlcoach.tui.screens.base import DataView, Notice
from rlcoach.tui.widgets.tables import add_game_rows, game_columns


class HomeView(DataView):
    LABEL = "Home"
    FOCUS = "#recent"  # letter keys must reach the bindings, not an Input

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self._worst: dict[str, tuple[int, ...]] = {}  # focus metric -> games showing it most
        self._suggestions: list[tuple[str, str | None, int]] = []

    def compose(self) -> ComposeResult:
        yield Notice(id="notice", markup=False)
        yield DataTable(id="suggest", cursor_type="row")
        with Vertical(id="home-body"):
            yield Static(id="focus-title", classes="label")
            yield DataTable(id="focus", cursor_type="row")
            with Horizontal(id="home-summary"):
                yield Static(id="winrate", classes="card")
                yield Static(id="session", classes="card")
            with Horizontal(id="form-row"):
                yield Static(id="form", classes="label")
                yield Sparkline([], id="form-spark")
            yield Static(id="averages", classes="label")
            yield DataTable(id="recent", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#suggest", DataTable).display = False  # until nobody is "me"
        game_columns(self.query_one("#recent", DataTable))
        focus = self.query_one("#focus", DataTable)
        focus.add_column("Work on", key="label")
        focus.add_column("You", key="me")
        focus.add_column("Lobby", key="lobby")
        focus.add_column("Gap", key="gap")
        focus.add_column("Shows most in", key="worst")

    def fetch(self) -> HomeData:
        return self.dash.data.home(self.dash.now)

    def show(self, data: HomeData) -> None:
        problem = data.status.problem
        self.query_one(Notice).say(problem)
        self.query_one("#home-body").display = problem is None
        self._suggest(data)
        if problem:
            return
        now = self.dash.now
        self._focus_loading(data.focus_playlist)
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

    def activated(self) -> None:
        super().activated()
        suggest = self.query_one("#suggest", DataTable)
        if suggest.display:  # nobody is "me" yet: the pick comes first
            suggest.focus()

    def _suggest(self, data: HomeData) -> None:
        """The players to pick "this is me" from, while nobody is."""
        table = self.query_one("#suggest", DataTable)
        status = data.status
        self._suggestions = list(status.suggestions) if status.my_games == 0 else []
        table.display = bool(self._suggestions) and status.problem is not None
        table.clear(columns=True)
        if not table.display:
            return
        table.add_columns("This is me", "Platform id", "Games")
        for name, pid, games in self._suggestions:
            table.add_row(name, pid or "(none: matched by name)", str(games))
        table.focus()

    def _focus_loading(self, playlist: str | None) -> None:
        """Home is painted; the focus areas follow from their own worker."""
        self.query_one("#focus", DataTable).display = False
        if playlist is None:
            self._focus_show(None, [])
            return
        name = playlist.replace("-", " ").title()
        self.query_one("#focus-title", Static).update(
            Text(f"Work on: reading your recent {name} games…", "dim"))
        self._load_focus(playlist)

    @work(thread=True, exclusive=True, group="focus", exit_on_error=False)
    def _load_focus(self, playlist: str) -> None:
        try:
            areas = self.dash.data.focus(playlist)
        except RlcoachError as exc:
            self.app.call_from_thread(self.query_one("#focus-title", Static).update, exc.message)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._focus_show, playlist, areas)

    def _focus_show(self, focus_playlist: str | None, focus: list[FocusArea]) -> None:
        title = self.query_one("#focus-title", Static)
        table = self.query_one("#focus", DataTable)
        table.clear()
        self._worst = {a.metric: tuple(g for g, _ in a.worst) for a in focus}
        playlist = (focus_playlist or "").replace("-", " ").title()
        if not focus_playlist:
            title.update(Text("No ranked games yet: focus areas come from ranked play.", "dim"))
        elif not focus:
            title.update(Text(f"Work on: nothing stands out against your lobbies in your "
                              f"recent {playlist} games.", "dim"))
        else:
            n = focus[0].games
            title.update(Text.assemble(("Work on ", "bold"), (
                f"(your last {n} {playlist} games, against the players in them)", "dim")))
        table.display = bool(focus)
        for a in focus:
            m = BY_QUALIFIED[a.metric]
            games = ", ".join(fmt.when(played, self.dash.now) for _, played in a.worst)
            table.add_row(m.label, Text(fmt.mean_value(m, a.me), justify="right"),
                          Text(fmt.mean_value(m, a.lobby), justify="right"),
                          Text(f"{a.gap:.0%} {'less' if m.direction == 'higher' else 'more'}",
                               style="red"), games, key=a.metric)

    async def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if event.data_table.id == "suggest":
            name, pid, _games = self._suggestions[event.cursor_row]
            try:
                self.dash.data.set_me(pid, name)
            except RlcoachError as exc:
                self.dash.notify(exc.message, severity="error")
                return
            self.dash.notify(f"You are {name}: saved in {self.dash.data.config_path}")
            self.reload()
            return
        if key is None:
            return
        if event.data_table.id == "focus":
            worst = self._worst.get(key, ())
            if worst:
                await self.dash.open_game(worst[0])
            return
        await self.dash.open_game(int(key))
