"""Home: what to work on, and how am I doing lately?

First the three focus areas (``tui.focus``): the library's insights over the
recent games of the user's main playlist, or, until the coaching analyses
find something, where the user trails their lobbies most; each one sentence
with the games that show it most (Enter opens the first of them, at the
moment when the insight names one). Then win rate (all games and the last
20), the current session, form as a W/L strip plus a sparkline of goal
difference, the user's average key stats and the most recent games (Enter
opens one). Ranked games only unless ``A`` asks for all play (offline,
private, bot games and casual too). One worker call loads all of it; the
focus areas follow from their own.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, OptionList, Sparkline, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from rlcoach.errors import RlcoachError
from rlcoach.report.registry import BY_QUALIFIED
from rlcoach.tui import format as fmt
from rlcoach.tui.focus import Focus, FocusReport
from rlcoach.tui.models import ROW_STATS, HomeData
from rlcoach.tui.screens.base import DataView, Notice
from rlcoach.tui.widgets.tables import add_game_rows, game_columns


class HomeView(DataView):
    LABEL = "Home"
    FOCUS = "#recent"  # letter keys must reach the bindings, not an Input
    BINDINGS: ClassVar[list[BindingType]] = [
        # Shift: a alone asks the coach (app-wide).
        Binding("A", "all_play", "All play", tooltip="Count every game, not only ranked ones"),
    ]

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.ranked_only = True
        self._focus: list[Focus] = []
        self._suggestions: list[tuple[str, str | None, int]] = []

    def compose(self) -> ComposeResult:
        yield Notice(id="notice", markup=False)
        yield DataTable(id="suggest", cursor_type="row")
        with Vertical(id="home-body"):
            yield Static(id="focus-title", classes="label")
            yield OptionList(id="focus")
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

    def action_all_play(self) -> None:
        self.ranked_only = not self.ranked_only
        self.dash.notify("Home counts every game." if not self.ranked_only
                         else "Home counts ranked games only.", timeout=2)
        self.reload()

    def fetch(self) -> HomeData:
        return self.dash.data.home(self.dash.now, self.ranked_only)

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
            (f"{'Ranked' if data.scope == 'ranked' else 'All'} win rate ", "bold"),
            (fmt.pct(o.wins, o.wins + o.losses), "bold"),
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
        self.query_one("#focus", OptionList).display = False
        if playlist is None:
            self._focus_show(None, FocusReport("lobby", 0, ()))
            return
        self.query_one("#focus-title", Static).update(
            Text(f"Work on: reading your recent {fmt.playlist_name(playlist)} games…", "dim"))
        self._load_focus(playlist)

    @work(thread=True, exclusive=True, group="focus", exit_on_error=False)
    def _load_focus(self, playlist: str) -> None:
        try:
            report = self.dash.data.focus(playlist)
        except RlcoachError as exc:
            self.app.call_from_thread(self.query_one("#focus-title", Static).update, exc.message)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._focus_show, playlist, report)

    def _focus_show(self, playlist: str | None, report: FocusReport) -> None:
        title = self.query_one("#focus-title", Static)
        options = self.query_one("#focus", OptionList)
        options.clear_options()
        self._focus = list(report.items)
        name = fmt.playlist_name(playlist)
        if not playlist:
            title.update(Text("No ranked games yet: focus areas come from ranked play "
                              "(A counts every game).", "dim"))
        elif not self._focus:
            title.update(Text(f"Work on: nothing stands out in your recent {name} games.",
                              "dim"))
        else:
            basis = {"insights": "insights", "insights+lobby": "insights, then lobby gaps"}.get(
                report.source, "gaps to your lobbies")
            title.update(Text.assemble(("Work on", "bold"), (
                f" · last {report.games} {name} games · {basis}", "dim")))
        options.display = bool(self._focus)
        for n, f in enumerate(self._focus, 1):
            games = ", ".join(fmt.when(played, self.dash.now) for _, played, _ in f.games)
            options.add_option(Option(Text.assemble(
                (f"{n}. ", "bold"), f.sentence,
                (f"  shows most in: {games}" if games else "", "dim"))))

    @on(OptionList.OptionSelected, "#focus")
    async def _focus_chosen(self, event: OptionList.OptionSelected) -> None:
        games = self._focus[event.option_index].games if \
            0 <= event.option_index < len(self._focus) else ()
        if games:
            game_id, _, at = games[0]
            await self.dash.open_game(game_id, at=at)

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
        await self.dash.open_game(int(key))
