"""A field heatmap in a perceptual colour scale, the player's own goal on the left.

Design:

* The widget takes a grid of time shares already oriented for the screen
  (row 0 at the top, column 0 at the player's own goal; see
  ``tui.heatmaps``) and resamples it to the size it gets. Each character
  cell shows two samples stacked (``▀``: the top one in the foreground
  colour, the bottom one in the background), which makes the samples about
  square and doubles the detail in 24 lines.
* Colours come from viridis (``VIRIDIS``, the matplotlib scale): perceptually
  even, readable for the common colour blindnesses, and its lightness
  rises monotonically so it still reads in greyscale. The scale is by
  percentile, not by value: a player's time piles up in a few cells (their
  goal mouth, kickoff spots), and a linear scale would paint everything
  else one dark colour. So each non-empty cell is coloured by the share of
  non-empty cells it beats; cells with no time at all are left blank, so
  "never there" is not confused with "rarely there".
* The field keeps its real proportions, with goal mouths in team colours on
  the short sides (the player's own on the left).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

# Viridis at 9 even steps (matplotlib's _viridis_data, every 32nd entry).
VIRIDIS = ((68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
           (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37))
TEAM_COLOURS = {"blue": "#4a9eff", "orange": "#ff8c1a"}
GOAL_SHARE = 1786 / 8192  # goal width over field width (Soccar, in uu)
FIELD_ASPECT = 10240 / 8192 * 2  # length over width, in cells (a cell is ~2:1 tall)


def resample(grid: Sequence[Sequence[float]], rows: int, cols: int) -> list[list[float]]:
    """Area-average ``grid`` onto ``rows`` x ``cols`` cells (nearest when upsampling)."""
    src_r = len(grid)
    src_c = len(grid[0]) if src_r else 0
    if not src_r or not src_c or rows <= 0 or cols <= 0:
        return [[0.0] * max(cols, 0) for _ in range(max(rows, 0))]
    out: list[list[float]] = []
    for r in range(rows):
        r0 = r * src_r // rows
        r1 = max(r0 + 1, (r + 1) * src_r // rows)
        line = []
        for c in range(cols):
            c0 = c * src_c // cols
            c1 = max(c0 + 1, (c + 1) * src_c // cols)
            cells = [grid[i][j] for i in range(r0, r1) for j in range(c0, c1)]
            line.append(sum(cells) / len(cells))
        out.append(line)
    return out


def viridis(t: float) -> str:
    """Hex colour at ``t`` in [0, 1] on the viridis scale (linear between steps)."""
    t = min(1.0, max(0.0, t)) * (len(VIRIDIS) - 1)
    i = min(int(t), len(VIRIDIS) - 2)
    f = t - i
    a, b = VIRIDIS[i], VIRIDIS[i + 1]
    r, g, bl = (round(a[k] + (b[k] - a[k]) * f) for k in range(3))
    return f"#{r:02x}{g:02x}{bl:02x}"


def percentiles(cells: list[list[float]]) -> list[list[float | None]]:
    """Each cell's rank among the non-empty cells, in (0, 1]; None where empty.

    Ties share their highest rank, so a flat field reads as one colour.
    """
    ranked = sorted(v for row in cells for v in row if v > 0)
    n = len(ranked)
    return [[bisect_right(ranked, v) / n if v > 0 else None for v in row] for row in cells]


class FieldHeatmap(Widget):
    """Time share per field cell; ``grid`` None shows ``empty_message`` instead."""

    DEFAULT_CSS = """
    FieldHeatmap { height: 1fr; min-height: 6; }
    FieldHeatmap.-empty { color: $text-muted; content-align: center middle; }
    """

    grid: reactive[list[list[float]] | None] = reactive(None, layout=False)

    def __init__(self, empty_message: str = "no position data", *, caption: str = "",
                 **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.empty_message = empty_message
        self.caption = caption  # what the field shows ("this game", "your last 20 games")
        self.team: str | None = None  # the player's team: its goal is drawn on the left

    def watch_grid(self, grid: list[list[float]] | None) -> None:
        self.set_class(not grid, "-empty")

    def show(self, grid: list[list[float]] | None, team: str | None, message: str,
             caption: str | None = None) -> None:
        self.team, self.empty_message = team, message
        if caption is not None:
            self.caption = caption
        self.grid = grid
        self.refresh()

    def render(self) -> Text:
        if not self.grid:
            return Text(self.empty_message, justify="center")
        width, height = self.content_size.width, self.content_size.height
        # Real proportions: as tall as fits, unless the width runs out first.
        rows = max(1, min(height - 2, round((width - 2) / FIELD_ASPECT)))
        cols = max(10, min(width - 2, round(rows * FIELD_ASPECT)))
        pad = " " * max(0, (width - cols - 2) // 2)
        ranks = percentiles(resample(self.grid, rows * 2, cols))
        own = TEAM_COLOURS.get(self.team or "", "bold")
        other = TEAM_COLOURS.get({"blue": "orange", "orange": "blue"}.get(self.team or "", ""),
                                 "bold")
        goal_rows = range(round(rows * (1 - GOAL_SHARE) / 2), round(rows * (1 + GOAL_SHARE) / 2))
        text = Text(no_wrap=True)
        titles = [f" ◀ your goal · {self.caption} · theirs ▶ ", f" ◀ {self.caption} ▶ "] \
            if self.caption else [" ◀ your goal   theirs ▶ "]
        title = next((t for t in titles if len(t) <= cols), titles[-1])
        text.append(pad + "╭" + _centred(title, cols, "─") + "╮\n", "dim")
        for i in range(rows):
            goal = i in goal_rows
            text.append(pad)
            text.append("┃" if goal else "│", f"bold {own}" if goal else "dim")
            for top, bottom in zip(ranks[2 * i], ranks[2 * i + 1], strict=True):
                if top is None and bottom is None:
                    text.append(" ")
                elif top is None:
                    text.append("▄", viridis(bottom))  # type: ignore[arg-type]
                elif bottom is None:
                    text.append("▀", viridis(top))
                else:
                    text.append("▀", f"{viridis(top)} on {viridis(bottom)}")
            text.append("┃" if goal else "│", f"bold {other}" if goal else "dim")
            text.append("\n")
        text.append(pad + "╰")
        text.append_text(_legend(cols))
        text.append("╯", "dim")
        return text


def _legend(cols: int) -> Text:
    """The scale under the field: least to most of the player's own time."""
    steps = 8
    out = Text()
    label_l, label_r = " least ", " most (percentile of your time) "
    if len(label_l) + steps + len(label_r) + 2 > cols:
        label_r = " most "
    used = len(label_l) + steps + len(label_r)
    left = max(0, (cols - used) // 2)
    out.append("─" * left + label_l, "dim")
    for k in range(steps):
        out.append("█", viridis((k + 0.5) / steps))
    out.append(label_r + "─" * max(0, cols - used - left), "dim")
    return out


def _centred(label: str, width: int, fill: str) -> str:
    line = [fill] * width
    if len(label) <= width:
        left = (width - len(label)) // 2
        line[left:left + len(label)] = label
    return "".join(line)
