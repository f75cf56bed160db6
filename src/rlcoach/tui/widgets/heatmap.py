"""A field heatmap drawn with shade characters.

The widget takes a grid of time shares already oriented for the screen
(row 0 at the top, column 0 at the blue goal on the left) and resamples it to
whatever size it gets, so the same data fills 80x24 or a wide terminal. Shade
characters (not background colours) carry the intensity, which keeps it
readable in both themes and in a monochrome snapshot; the colour comes from
CSS (``$accent``) so it follows the theme.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

SHADES = " ·░▒▓█"


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


def shade(v: float, top: float) -> str:
    """Map a share to a shade; any time at all shows at least a dot."""
    if v <= 0 or top <= 0:
        return SHADES[0]
    idx = 1 + int((len(SHADES) - 2) * min(v / top, 1.0) + 0.5)
    return SHADES[min(idx, len(SHADES) - 1)]


GOAL_SHARE = 1786 / 8192  # goal width over field width (Soccar, in uu)
FIELD_ASPECT = 10240 / 8192 * 2  # length over width, in cells (a cell is ~2:1 tall)


class FieldHeatmap(Widget):
    """Time share per field cell; ``grid`` None shows ``empty_message`` instead.

    The field keeps its real proportions (so a wide terminal does not stretch
    it into a corridor) and is drawn with its own outline: goal mouths in
    team colours on the short sides, the halfway line dotted where empty.
    """

    DEFAULT_CSS = """
    FieldHeatmap {
        color: $accent;
        height: 1fr;
        min-height: 6;
    }
    FieldHeatmap.-empty { color: $text-muted; content-align: center middle; }
    """

    grid: reactive[list[list[float]] | None] = reactive(None, layout=False)

    def __init__(self, empty_message: str = "no position data", **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.empty_message = empty_message

    def watch_grid(self, grid: list[list[float]] | None) -> None:
        self.set_class(not grid, "-empty")

    def render(self) -> Text:
        if not self.grid:
            return Text(self.empty_message, justify="center")
        width, height = self.content_size.width, self.content_size.height
        rows = max(1, height - 2)
        cols = max(10, min(width - 2, round(rows * FIELD_ASPECT)))
        pad = " " * max(0, (width - cols - 2) // 2)
        cells = resample(self.grid, rows, cols)
        top = max((v for row in cells for v in row), default=0.0)
        goal_rows = range(round(rows * (1 - GOAL_SHARE) / 2), round(rows * (1 + GOAL_SHARE) / 2))
        frame = "dim"
        text = Text(no_wrap=True)
        title = " blue goal ◀   your time on the field   ▶ orange goal "
        if len(title) > cols:
            title = " ◀ blue   your time   orange ▶ "
        text.append(pad + "╭" + _centred(title, cols, "─") + "╮\n", frame)
        for i, row in enumerate(cells):
            chars = [shade(v, top) for v in row]
            if chars[cols // 2] == " ":
                chars[cols // 2] = "┊"  # halfway line, only where it hides nothing
            goal = i in goal_rows
            text.append(pad)
            text.append("┃" if goal else "│", "bold #4a9eff" if goal else frame)
            text.append("".join(chars))
            text.append("┃" if goal else "│", "bold #ff8c1a" if goal else frame)
            text.append("\n")
        legend = f" {SHADES[1]} little  {SHADES[3]} some  {SHADES[-1]} most "
        text.append(pad + "╰" + _centred(legend, cols, "─") + "╯", frame)
        return text


def _centred(label: str, width: int, fill: str) -> str:
    if len(label) > width:
        return fill * width
    left = (width - len(label)) // 2
    return fill * left + label + fill * (width - len(label) - left)
