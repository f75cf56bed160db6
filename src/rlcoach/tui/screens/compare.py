"""Compare: the user against their lobbies and against rank population means.

Two references, never blended: the other players in the user's own games
(same playlists, same era, same rank band by matchmaking) and ballchasing's
per-rank population means. The second comes with limits (means only, all
playlists pooled, before early 2023) that are printed beside the table at
all times. Per-game totals (goals, pads, seconds somewhere) are rates per
minute of play in every column, the user's, the lobby's and the rank's (its
per-game mean over a 5:00 game: the source has no match lengths), so a long
overtime is not a better game. The rank column is the user's target rank
(chosen with ``k`` or the palette, remembered in rlcoach.toml); ``[``/``]``
move it for a look at the tiers around it. The view starts on the user's
main playlist (``p`` steps; all pooled only when asked). Rows are grouped
(boost, movement, ...) and sorted within a group by the size of the gap to
the lobby, so what differs most is read first; differences of percentages
are in percentage points, other differences in the precision of the values.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from rlcoach.library.queries import LobbyStat
from rlcoach.report.registry import BY_QUALIFIED, METRICS
from rlcoach.tui import format as fmt
from rlcoach.tui.models import CompareData
from rlcoach.tui.ranks import load_rank_means
from rlcoach.tui.screens.base import Cycle, DataView, Notice, playlist_choices

LAST_GAMES = 200
# Ballchasing's means are per game and carry no match length: per-minute rows
# divide them by a regulation game. Overtime makes real games longer, so these
# rank rates read a little high; the caveat under the table says so.
RANK_GAME_MINUTES = 5.0
DEFAULT_TIER = 13  # Diamond, the middle of the ladder, until a target rank is chosen
WIDE = 96  # columns from which Mates and Opps get their own columns
SHORT_TIER = {"Platinum": "Plat", "Champion": "Champ", "Grand Champion": "GC"}


def relative_gap(row: LobbyStat) -> float:
    """How far the user is from the lobby, as a share of the lobby's mean."""
    if row.me is None or not row.lobby:
        return 0.0
    return abs(row.me - row.lobby) / abs(row.lobby)


def ordered(rows: tuple[LobbyStat, ...]) -> list[LobbyStat]:
    """Grouped as in the registry; within a group, the largest gap to the lobby first."""
    groups = list(dict.fromkeys(m.group for m in METRICS))
    return sorted(rows, key=lambda r: (groups.index(BY_QUALIFIED[r.metric].group),
                                       -relative_gap(r)))


def compared_metrics() -> list[str]:
    """Registry metrics that ballchasing has rank means for, in registry order."""
    ranks = load_rank_means()
    return [m.qualified for m in METRICS if m.qualified in ranks.stats]


class CompareView(DataView):
    LABEL = "Compare"
    FOCUS = "#compare"  # letter keys must reach the bindings, not an Input
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right_square_bracket", "tier(1)", "Rank +"),
        Binding("left_square_bracket", "tier(-1)", "Rank -", show=False),
        Binding("p", "playlist", "Playlist"),
    ]

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.ranks = load_rank_means()
        self.tiers = [t for t in self.ranks.tiers if t != 999] + [999]
        self.tier: int | None = None  # the rank column: the target rank until [ ] move it
        self._target: str | None = None
        self._data: CompareData | None = None
        self.playlist = Cycle([("your main playlist", None)])
        self._playlists_loaded = False

    def compose(self) -> ComposeResult:
        yield Static(id="compare-scope", classes="status")
        yield Notice(id="notice", markup=False)
        yield DataTable(id="compare", cursor_type="row", zebra_stripes=True)
        yield Static(id="caveat", classes="caveat")

    def on_mount(self) -> None:
        self.query_one("#caveat", Static).update(
            f"{self.ranks.caveat} /min: per minute of play; rank means over a 5:00 game "
            "(the source has no match lengths). Lobby: everyone else in your games, no bots."
        )

    def reload(self) -> None:
        self._playlist = self.playlist.value  # read on the UI thread, used by the worker
        super().reload()

    def action_playlist(self) -> None:
        self.playlist.step()
        self.reload()

    def fetch(self) -> tuple:
        data = self.dash.data
        playlist, options = self._playlist, None
        if not self._playlists_loaded and data.status().problem is None:
            playlist = data.main_playlist()  # first load: never pooled unless asked
            options = playlist_choices(data.playlists(), playlist)
        return data.compare(compared_metrics(), playlist, LAST_GAMES), options

    def show(self, result: tuple) -> None:
        data, options = result
        if options is not None:
            self._playlists_loaded = True
            self.playlist.options, self.playlist.index = options, 0
        self._data = data
        problem = data.status.problem
        if problem is None and data.games == 0:
            problem = f"None of your games is in {self.playlist.label}: p picks another playlist."
        self.query_one(Notice).say(problem)
        self.query_one("#compare").display = problem is None
        if problem:
            return
        target = self.dash.data.target_rank
        if self.tier is None or target != self._target:
            # The remembered target rank; never a vote across metrics, which lands
            # on "Grand Champion" for a player with eight games and one good stat.
            self._target = target
            self.tier = self.ranks.tier_named(target) or DEFAULT_TIER
        self._render_table()

    def on_resize(self) -> None:
        if self._data is not None and self.tier is not None:
            self._render_table()

    def action_tier(self, step: int) -> None:
        if self.tier is None or self._data is None:
            return
        i = self.tiers.index(self.tier) + step
        self.tier = self.tiers[max(0, min(len(self.tiers) - 1, i))]
        self._render_table()

    def _cells(self, row: LobbyStat, rate: bool, wide: bool, label_w: int) -> list[object]:
        """One metric's cells; ``rate``: per minute, the rank mean over a 5:00 game."""
        m = BY_QUALIFIED[row.metric]
        assert self.tier is not None
        stat = self.ranks.stats[row.metric]
        rank_mean = stat.means.get(self.tier)
        if rate and rank_mean is not None:
            rank_mean /= RANK_GAME_MINUTES
        d_lobby, s_lobby = fmt.delta(m, row.me, row.lobby)
        d_tier, s_tier = fmt.delta(m, row.me, rank_mean)
        scale = RANK_GAME_MINUTES if rate else 1.0
        near = self.ranks.nearest_tier(row.metric, row.me * scale) \
            if row.me is not None else None
        suffix = " /min" if rate else ""
        label = m.label[:label_w - len(suffix)] + suffix
        split = [Text(fmt.mean_value(m, v), justify="right")
                 for v in (row.teammates, row.opponents)] if wide else []
        return [
            label, Text(fmt.mean_value(m, row.me), justify="right", style="bold"),
            Text(fmt.mean_value(m, row.lobby), justify="right"),
            Text(d_lobby, style=s_lobby, justify="right"),
            *split,
            Text(fmt.mean_value(m, rank_mean), justify="right"),
            Text(d_tier, style=s_tier, justify="right"),
            SHORT_TIER.get(self.ranks.tiers[near], self.ranks.tiers[near])
            if near is not None else fmt.DASH,
        ]

    def _render_table(self) -> None:
        data = self._data
        assert data is not None and self.tier is not None
        tier_name = self.ranks.tiers[self.tier]
        scope = f"your last {data.games} games" if data.games >= LAST_GAMES else \
            f"your {data.games} games"
        target = "your target" if self._target and self.ranks.tier_named(self._target) == \
            self.tier else "no target: k picks one" if not self._target \
            else f"target {self._target}"
        self.query_one("#compare-scope", Static).update(
            f"{scope} · {self.playlist.label} · rank: {tier_name} ({target})")
        table = self.query_one("#compare", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        table.add_column("Metric", key="metric")
        table.add_column("You", key="me")
        table.add_column("Lobby", key="lobby")
        table.add_column("Δ", key="d-lobby")
        # The lobby split into your teammates and opponents, when there is room.
        wide = self.size.width >= WIDE
        if wide:
            table.add_column("Mates", key="mates")
            table.add_column("Opps", key="opps")
        table.add_column(SHORT_TIER.get(tier_name, tier_name), key="tier")
        table.add_column("Δ", key="d-tier")
        table.add_column("Nearest", key="closest")
        columns = len(table.columns)
        label_w = max(19, min(34, self.size.width - (96 if wide else 76)))
        group = None
        for row in ordered(data.rows):
            m = BY_QUALIFIED[row.metric]
            if m.group != group:
                group = m.group
                table.add_row(Text(m.group.title(), style="bold"), *[""] * (columns - 1),
                              key=f"group:{group}")
            table.add_row(*self._cells(row, row.metric in data.per_minute, wide, label_w),
                          key=row.metric)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
