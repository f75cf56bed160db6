"""Trends: chosen metrics game by game, with a rolling average.

The left list holds every registry metric (space toggles one; up to
``MAX_CHARTS`` are charted, newest choice replacing the oldest). Each chart
shows per-game values coloured by result and the rolling average, and its
heading gives the mean over wins against the mean over losses, which says
more about a metric than its line does.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection

from rlcoach.library.queries import TrendSeries
from rlcoach.report.registry import BY_QUALIFIED, METRICS
from rlcoach.tui import format as fmt
from rlcoach.tui.ranks import load_rank_means
from rlcoach.tui.screens.base import Cycle, DataView, Notice, playlist_choices
from rlcoach.tui.widgets.chart import TrendChart

MAX_CHARTS = 3
DEFAULT_METRICS = ("core.score", "boost.bpm")
DEFAULT_WINDOW = 10
DEFAULT_LAST = 200
WINDOWS = [(f"{n}-game avg", n) for n in (5, 10, 20, 50)]
LASTS = [("last 50", 50), ("last 200", 200), ("last 1000", 1000), ("all games", None)]
DIRECTION = {"higher": "↑ better", "lower": "↓ better", "neutral": "neutral"}
GROUP_TAG = {"core": "core", "boost": "bst ", "movement": "move", "positioning": "pos ",
             "demo": "demo", "kickoffs": "kick", "duels": "5050", "shooting": "shot",
             "possession": "poss", "mechanics": "mech"}


def tag(group: str) -> str:
    """Four columns naming a metric's group (new groups get their first four letters)."""
    return GROUP_TAG.get(group, f"{group[:4]:<4}")


class TrendsView(DataView):
    LABEL = "Trends"
    FOCUS = "#metric-list"  # letter keys must reach the bindings, not an Input
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "focus_metrics", "Metrics", show=False),
        Binding("p", "cycle('playlist')", "Playlist"),
        Binding("w", "cycle('window')", "Avg"),
        Binding("l", "cycle('last')", "Range"),
    ]

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.chosen: list[str] = list(DEFAULT_METRICS)
        self._playlists_loaded = False
        self.cycles = {
            "playlist": Cycle([("your main playlist", None)]),
            "window": Cycle(WINDOWS, [n for _, n in WINDOWS].index(DEFAULT_WINDOW)),
            "last": Cycle(LASTS, [n for _, n in LASTS].index(DEFAULT_LAST)),
        }

    def compose(self) -> ComposeResult:
        yield Notice(id="notice", markup=False)
        with Horizontal(id="trends-body"):
            yield SelectionList[str](
                *(Selection(f"[dim]{tag(m.group)}[/] {m.label}", m.qualified,
                            m.qualified in self.chosen)
                  for m in METRICS if m.unit != "bool"),
                id="metric-list",
            )
            with Vertical(id="charts"):
                yield Static(id="t-scope", classes="status")
                for i in range(MAX_CHARTS):
                    yield Static(id=f"chart-title-{i}", classes="chart-title")
                    yield TrendChart(id=f"chart-{i}")

    def action_focus_metrics(self) -> None:
        self.query_one("#metric-list").focus()

    def add_metric(self, qualified: str) -> None:
        """Tick ``qualified`` as if chosen in the list (the palette's "Chart ...")."""
        self.query_one(SelectionList).select(qualified)  # SelectedChanged reloads

    @on(SelectionList.SelectedChanged)
    def _chosen(self, event: SelectionList.SelectedChanged) -> None:
        selected = list(event.selection_list.selected)
        added = [k for k in selected if k not in self.chosen]
        kept = [k for k in self.chosen if k in selected] + added
        if len(kept) > MAX_CHARTS:  # drop the oldest choice, and untick it
            for old in kept[:-MAX_CHARTS]:
                with event.selection_list.prevent(SelectionList.SelectedChanged):
                    event.selection_list.deselect(old)
            kept = kept[-MAX_CHARTS:]
        self.chosen = kept
        self.reload()

    def action_cycle(self, name: str) -> None:
        self.cycles[name].step()
        self.reload()

    def reload(self) -> None:
        # Read choices here, on the UI thread; the worker only sees plain values.
        c = self.cycles
        self._args = (list(self.chosen), c["playlist"].value, c["window"].value,
                      c["last"].value)
        self._scope()
        super().reload()

    def _scope(self) -> None:
        c = self.cycles
        self.query_one("#t-scope", Static).update(
            f"{c['playlist'].label} · {c['last'].label} · {c['window'].label}")

    def fetch(self) -> tuple:
        metrics, playlist, window, last = self._args
        data = self.dash.data
        options = None
        if not self._playlists_loaded and data.status().problem is None:
            playlist = data.main_playlist()  # first load: never pooled unless asked
            options = playlist_choices(data.playlists(), playlist)
        status, series = data.trends(metrics, playlist, window, last)
        return status, series, window, options

    def show(self, result: tuple) -> None:
        status, series, window, options = result
        data, ranks = self.dash.data, load_rank_means()
        if options is not None:
            self._playlists_loaded = True
            self.cycles["playlist"].options, self.cycles["playlist"].index = options, 0
            self._scope()
        self.query_one(Notice).say(status.problem)
        self.query_one("#trends-body").display = status.problem is None
        for i in range(MAX_CHARTS):
            title = self.query_one(f"#chart-title-{i}", Static)
            chart = self.query_one(f"#chart-{i}", TrendChart)
            shown = i < len(series)
            title.display = chart.display = shown
            if shown:
                title.update(self._title(series[i]))
                m = BY_QUALIFIED[series[i].metric]
                chart.set_data(series[i].points, window, fmt=partial(fmt.mean_value, m),
                               reference=ranks.reference(m.qualified, data.target_rank),
                               gap_minutes=data.session_gap_minutes)
        if not series:
            title = self.query_one("#chart-title-0", Static)
            title.display = True
            title.update("Tick a metric on the left (space) to chart it.")

    async def on_trend_chart_selected(self, event: TrendChart.Selected) -> None:
        await self.dash.open_game(event.game_id)

    def _title(self, s: TrendSeries) -> Text:
        m = BY_QUALIFIED[s.metric]
        return Text.assemble(
            (s.label, "bold"), f"  avg {fmt.mean_value(m, s.average)}  ",
            ("wins ", "green"), fmt.mean_value(m, s.average_wins), "  ",
            ("losses ", "red"), fmt.mean_value(m, s.average_losses),
            (f"  {DIRECTION[s.direction]}", "dim"),
        )
