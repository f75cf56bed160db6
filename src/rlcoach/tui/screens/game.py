"""Game: one match in detail.

Tabs: Overview (both teams' scoreboards), Boost, Movement, Positioning (every
registry metric of that group, one column per player so six players fit 80
columns), Timeline (the game's moments, ``tui.moments``, along the recording,
then listed on the match clock; the highlighted one's situation is spelled
out between the two) and Heatmap (the user's time per field cell).
The whole report is read once in a worker; each tab is filled the first time
it is shown, so opening a game costs one tab's rendering, not six.

The view lives on its own ``GameScreen``, pushed over the main screen (Escape
pops it, so the list it came from keeps its cursor and filters). The screen
is installed once and reused: composing six tabs and their tables again for
every game would cost more than filling them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from rlcoach.errors import RlcoachError
from rlcoach.report.registry import BY_QUALIFIED, metrics_in
from rlcoach.tui import format as fmt
from rlcoach.tui.models import GameData
from rlcoach.tui.moments import Moment, situation
from rlcoach.tui.screens.base import DataView, Notice
from rlcoach.tui.widgets.footer import Footer
from rlcoach.tui.widgets.heatmap import FieldHeatmap
from rlcoach.tui.widgets.timeline import TEAM_COLOURS, Timeline, from_report

TABS = (("overview", "Overview"), ("boost", "Boost"), ("movement", "Movement"),
        ("positioning", "Positioning"), ("timeline", "Timeline"), ("heatmap", "Heatmap"))
SCOREBOARD = {"core.score": "Score", "core.goals": "Goals", "core.assists": "Assists",
              "core.saves": "Saves", "core.shots": "Shots", "demo.inflicted": "Demos",
              "boost.bpm": "BPM"}


def match_clock(report: dict[str, Any], recorded: float | None) -> str:
    """The time played on the match clock (the header's, overtime included), not the
    recording's length; a report without it says the length is the recording's."""
    played = (report.get("replay") or {}).get("seconds_played")
    if isinstance(played, int | float):
        return f"{fmt.clock(played)} played"
    return f"{fmt.clock(recorded)} recorded"


def column_widths(width: int, labels: list[str], names: list[str]) -> tuple[int, int]:
    """(label, player name) widths for a metrics-by-players table ``width`` wide.

    At 80 columns six players need names cut to 9 and labels to 22; wider
    terminals give the room back, labels first, until nothing is cut.
    """
    longest_label = max(map(len, labels), default=6)
    longest_name = max(map(len, names), default=6)
    per_cell = 3  # DataTable padding and separator per column
    label_w = min(longest_label, max(22, width - len(names) * (9 + per_cell) - per_cell - 4))
    room = (width - label_w - per_cell - 4) // max(1, len(names)) - per_cell
    return label_w, max(9, min(longest_name, room))


class GameView(DataView):
    LABEL = "Game"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("right_square_bracket", "tab(1)", "Tab"),
        Binding("left_square_bracket", "tab(-1)", "Prev tab", show=False),
        *(Binding(str(i + 1), f"show_tab('{tab}')", label, show=False)
          for i, (tab, label) in enumerate(TABS)),
    ]

    LOAD_ON_MOUNT = False  # nothing to show until a game is opened
    FOCUS = "#game-tabs Tabs"  # left/right move between tabs

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.game_id: int | None = None
        self._at: float | None = None  # the moment to highlight on the Timeline
        self._view: GameData | None = None
        self._moments: list[Moment] = []

    def compose(self) -> ComposeResult:
        yield Static(id="game-title", classes="status")
        yield Notice(id="notice", markup=False)
        with TabbedContent(id="game-tabs"):
            with TabPane("Overview", id="overview"):
                yield Static("Blue", classes="team-title blue")
                yield DataTable(id="board-blue", cursor_type="row", classes="board")
                yield Static("Orange", classes="team-title orange")
                yield DataTable(id="board-orange", cursor_type="row", classes="board")
                yield Static(id="notable", classes="label")
            for group in ("boost", "movement", "positioning"):
                with TabPane(group.title(), id=group):
                    yield DataTable(id=f"group-{group}", cursor_type="row", zebra_stripes=True)
            with TabPane("Timeline", id="timeline"), Vertical():
                yield Timeline(id="timeline-strip")
                yield Static(id="situation", classes="label", markup=False)
                yield DataTable(id="events", cursor_type="row", zebra_stripes=True)
            with TabPane("Heatmap", id="heatmap"), Horizontal(id="fields"):
                yield FieldHeatmap(id="field", caption="this game")
                yield FieldHeatmap("Reading your recent games…", id="field-avg")

    def open(self, game_id: int, at: float | None = None) -> None:
        """Load a game; ``at`` (replay seconds) opens its Timeline on that moment."""
        self.game_id = game_id
        self.loaded_at = None
        self._view = None  # tabs shown before the data arrives stay as they are
        self._at = at
        self.query_one(Notice).say(None)
        self.query_one("#game-title", Static).update(f"Loading game {game_id}…")
        self.query_one(TabbedContent).active = "overview" if at is None else "timeline"
        self.reload()

    def action_back(self) -> None:
        if isinstance(self.screen, GameScreen) and self.app.screen is self.screen:
            self.app.pop_screen()

    def fetch(self) -> GameData:
        assert self.game_id is not None
        return self.dash.data.game(self.game_id)

    def action_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        ids = [t for t, _ in TABS]
        current = ids.index(tabs.active) if tabs.active in ids else 0
        self.action_show_tab(ids[(current + step) % len(ids)])

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        # Put the keys in the tab's table, so up/down/page scroll its rows
        # (the Boost table is taller than 24 lines); ] [ and 1-6 still switch.
        # Focus must stay inside this view (a hidden widget loses it, and with it
        # Escape and the tab keys): the Tabs strip when the tab has no table.
        tables = self.query_one(f"TabPane#{tab}").query(DataTable)
        (tables.last() if tables else self.query_one("#game-tabs Tabs")).focus()

    def show(self, view: GameData) -> None:
        detail = view.detail
        g = detail.game
        me = next((p for p in detail.players if p.is_me), None)
        res = {"win": "Win", "loss": "Loss"}.get(g.result or "", "")
        # Your side first when you played, as in the games table; else blue first.
        score = f"{g.my_score}-{g.their_score} ({g.my_team})" if g.my_team else \
            f"{g.score['blue']}-{g.score['orange']}"
        title = Text.assemble(
            (f"{res} " if res else "", fmt.result_style(res[:1] or None)),
            f"{score}{' OT' if g.overtime else ''}  ",
            (g.playlist_name or g.playlist or "?", "bold"), f"  {g.map_name or '?'}  ",
            f"{match_clock(detail.report, g.duration)}  {g.played_at:%Y-%m-%d %H:%M}",
            ("" if me else "  (you are not in this game)", "dim"),
        )
        self.query_one("#game-title", Static).update(title)
        self.screen.title = f"Game {g.game_id}"
        self._view = view
        self._filled: set[str] = set()
        self._fill(self.query_one(TabbedContent).active)

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        if self._view is not None and event.pane.id:
            self.guarded(self._fill, event.pane.id)

    def _fill(self, tab: str) -> None:
        """Fill one tab from the loaded game, the first time it is shown.

        Filling all seven tables up front doubled the time to open a game;
        most visits look at one or two tabs.
        """
        if tab in self._filled or self._view is None:
            return
        self._filled.add(tab)
        view, detail = self._view, self._view.detail
        players = sorted(detail.players, key=lambda p: (p.team != "blue", -p.stats.get(
            "core.score", 0)))
        if tab == "overview":
            for team in ("blue", "orange"):
                self._scoreboard(self.query_one(f"#board-{team}", DataTable),
                                 [p for p in players if p.team == team])
            self._notable(view)
        elif tab in ("boost", "movement", "positioning"):
            self._group_table(self.query_one(f"#group-{tab}", DataTable), tab, players)
        elif tab == "timeline":
            self._timeline(detail)
        elif tab == "heatmap":
            self._heatmap(view)

    def _heatmap(self, view: GameData) -> None:
        team = view.detail.game.my_team
        self.query_one("#field", FieldHeatmap).show(view.heatmap, team, view.heatmap_note)
        self._average_heatmap(team)

    @work(thread=True, exclusive=True, group="average-heatmap", exit_on_error=False)
    def _average_heatmap(self, team: str | None) -> None:
        """The user's average beside the game: read once, in a worker (~20 reports)."""
        try:
            grid, games = self.dash.data.average_heatmap()
        except RlcoachError as exc:
            grid, games, team = None, 0, None
            message = exc.message
        else:
            message = "No position data in your recent games."
        caption = f"your last {games} games" if games else ""
        self.app.call_from_thread(self.query_one("#field-avg", FieldHeatmap).show,
                                  grid, team, message, caption)

    def _scoreboard(self, table: DataTable, players: list[Any]) -> None:
        table.clear(columns=True)
        table.add_column("Player", key="name")
        for key, label in SCOREBOARD.items():
            table.add_column(label, key=key)
        for p in players:
            # Fixed width so the two teams' tables line up column for column.
            name = Text(f"{'▶ ' if p.is_me else '  '}{p.name[:18]:<18}",
                        style="bold" if p.is_me else "")
            row: list[object] = [name]
            for key in SCOREBOARD:
                row.append(Text(fmt.value(BY_QUALIFIED[key], p.stats.get(key)), justify="right"))
            table.add_row(*row)

    def _notable(self, view: GameData) -> None:
        if view.detail.game.my_team is None:
            self.query_one("#notable", Static).update("")
            return
        text = Text("Stood out against your recent games in this playlist", style="bold")
        if not view.notable:
            text.append("\n  nothing yet: it needs a few earlier games of yours", "dim")
        for n in view.notable:
            m = BY_QUALIFIED[n.metric]
            style = "" if n.better is None else "green" if n.better else "red"
            shown = (fmt.rate(n.value), fmt.rate(n.average)) if n.per_minute else \
                (fmt.value(m, n.value), fmt.mean_value(m, n.average))
            text.append(f"\n  {n.label[:26]:<26} {shown[0]:>8}  ")
            text.append(f"usual {shown[1]}", "dim")
            text.append(f"  {'▲' if n.delta > 0 else '▼'}", style)
        self.query_one("#notable", Static).update(text)

    def _group_table(self, table: DataTable, group: str, players: list[Any]) -> None:
        """Metrics down, players across: every metric of the group stays visible."""
        table.clear(columns=True)
        metrics = metrics_in(group)
        label_w, name_w = column_widths(self.size.width, [m.label for m in metrics],
                                        [p.name for p in players])
        table.add_column("Metric", key="metric")
        for i, p in enumerate(players):
            colour = TEAM_COLOURS.get(p.team, "")
            label = Text(p.name[:name_w], style=f"{'bold underline ' if p.is_me else ''}{colour}")
            table.add_column(label, key=f"p{i}")
        for m in metrics:
            row: list[object] = [m.label[:label_w]]
            row += [Text(fmt.value(m, p.stats.get(m.qualified)), justify="right")
                    for p in players]
            table.add_row(*row)

    def _timeline(self, detail: Any) -> None:
        span, lanes, moments = from_report(detail.report, detail.game.my_team)
        self.query_one(Timeline).set_data(span, lanes)
        self._moments = moments
        table = self.query_one("#events", DataTable)
        table.clear(columns=True)
        clocked = any(m.clock for m in moments)
        # The match clock when the report has it; else the recording's time, said so.
        table.add_columns("Clock" if clocked else "Replay", "Moment", "Team", "Detail")
        for m in moments:
            when = m.clock or (fmt.clock(m.time) if m.time is not None else fmt.DASH)
            style = "" if m.mine is None else "green" if m.mine else "red"
            table.add_row(when, Text(m.title, style=style),
                          Text(m.team or fmt.DASH, style=TEAM_COLOURS.get(m.team or "", "")),
                          m.detail)
        if not moments:
            table.add_row(fmt.DASH, "No goals, demolitions or kickoffs recorded.", "", "")
        note = "" if clocked or not moments else \
            "Times are replay time: this report has no match clock. "
        self.query_one("#situation", Static).update(
            note + "Highlight a moment to see what happened around it.")
        placed = [i for i, m in enumerate(moments) if m.time is not None]
        if self._at is not None and placed:
            # Opened for a moment (an insight's): put the cursor on it and focus the list.
            at = self._at
            row = min(placed, key=lambda i: abs((moments[i].time or 0.0) - at))
            table.move_cursor(row=row)
            table.focus()

    @on(DataTable.RowHighlighted, "#events")
    def _moment(self, event: DataTable.RowHighlighted) -> None:
        if self._view is None or not 0 <= event.cursor_row < len(self._moments):
            return
        self.query_one("#situation", Static).update(
            situation(self._view.detail.report, self._moments[event.cursor_row]))


class GameScreen(Screen[None]):
    """One game over the main screen; ``open`` loads another game into it."""

    def compose(self) -> ComposeResult:
        yield Header(icon="⚽")
        yield GameView(id="game")
        yield Footer(compact=True)

    @property
    def view(self) -> GameView:
        return self.query_one(GameView)

    _styled_for: str | None = None  # the theme this screen's styles were computed in

    def on_mount(self) -> None:
        self._styled_for = self.app.theme  # mounting styled every widget

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Textual's own handler (``Screen._on_screen_resume``),
        # which by default restyles every widget of a pushed screen in case
        # the CSS changed while it was away: ~50 ms of each game opened,
        # though only a theme switch (``d``) changes our CSS. Restyle then.
        if self._styled_for == self.app.theme:
            event.refresh_styles = False
        self._styled_for = self.app.theme
        self.title = GameView.LABEL if self.view.game_id is None else f"Game {self.view.game_id}"
        self.view.activated()
