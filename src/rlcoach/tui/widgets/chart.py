"""A per-game line chart with a rolling average, drawn in character cells.

Each column is one game, or a run of consecutive games averaged when there
are more games than columns (so 2,000 games still fit 80 columns and the
shape stays honest). Dots show the result (● green win, ○ red loss, by
majority within a column); the rolling average is the line through them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.widget import Widget


def rolling_mean(values: Sequence[float], window: int) -> list[float]:
    """Trailing mean over up to ``window`` games (shorter at the start)."""
    out: list[float] = []
    total = 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def bucket(n: int, cols: int) -> list[range]:
    """Split ``n`` games into at most ``cols`` consecutive, nearly equal runs."""
    cols = max(1, min(n, cols))
    return [range(i * n // cols, (i + 1) * n // cols) for i in range(cols)]


class TrendChart(Widget):
    DEFAULT_CSS = """
    TrendChart { height: 1fr; min-height: 6; }
    """
    GUTTER = 8

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.values: list[float] = []
        self.wins: list[bool | None] = []
        self.window = 10
        self.fmt: Callable[[float], str] = lambda v: f"{v:.1f}"

    def set_data(self, values: list[float], wins: list[bool | None], window: int,
                 fmt: Callable[[float], str] | None = None) -> None:
        self.values, self.wins, self.window = values, wins, window
        if fmt is not None:
            self.fmt = fmt
        self.refresh()

    def render(self) -> Text:
        if not self.values:
            return Text("No games with this metric for the current filter.", style="dim")
        height = max(3, self.content_size.height - 1)
        width = max(5, self.content_size.width - self.GUTTER)
        avg = rolling_mean(self.values, self.window)
        runs = bucket(len(self.values), width)
        col_vals = [sum(self.values[i] for i in r) / len(r) for r in runs]
        col_avg = [avg[r[-1]] for r in runs]
        col_win: list[bool | None] = []
        for run in runs:
            known = [w for i in run if (w := self.wins[i]) is not None]
            col_win.append(None if not known else sum(known) * 2 >= len(known))
        lo = min(min(col_vals), min(col_avg))
        hi = max(max(col_vals), max(col_avg))
        span = (hi - lo) or 1.0

        def row_of(v: float) -> int:
            return height - 1 - int((v - lo) / span * (height - 1) + 0.5)

        # Rich styles cannot name theme variables: take the accent from the live theme.
        accent = self.app.current_theme.accent or "cyan"
        # Fewer games than columns: spread them over the width, and draw the
        # average between them, rather than bunch them at the left edge.
        n = len(runs)
        xs = [round(c * (width - 1) / (n - 1)) if n > 1 else 0 for c in range(n)]
        grid: list[list[tuple[str, str]]] = [[(" ", "")] * width for _ in range(height)]
        for c in range(n):
            nxt = min(c + 1, n - 1)
            steps = max(1, xs[nxt] - xs[c])
            for k in range(steps if nxt != c else 1):
                v = col_avg[c] + (col_avg[nxt] - col_avg[c]) * k / steps
                grid[row_of(v)][xs[c] + k] = ("━", f"bold {accent}")
        for c, v in enumerate(col_vals):
            # Shape as well as colour tells wins from losses (colour-blind users,
            # monochrome terminals): filled for a win, hollow for a loss.
            won = col_win[c]
            mark, style = ("·", "dim") if won is None else ("●", "green") if won else ("○", "red")
            grid[row_of(v)][xs[c]] = (mark, style)
        text = Text(no_wrap=True)
        for r, line in enumerate(grid):
            label = ""
            if r == 0:
                label = self.fmt(hi)
            elif r == height - 1:
                label = self.fmt(lo)
            elif r == height // 2:
                label = self.fmt((hi + lo) / 2)
            text.append(f"{label:>{self.GUTTER - 1}} ", "dim")
            for ch, style in line:
                text.append(ch, style or None)
            text.append("\n")
        per_col = len(self.values) / len(runs)
        note = f"{len(self.values)} games"
        if per_col > 1.05:
            note += f" ~{per_col:.0f}/col"
        # Old to new runs left to right (the arrow); then the legend.
        text.append(" " * self.GUTTER + f"{note} → · ● win ○ loss ━ avg", "dim")
        return text
