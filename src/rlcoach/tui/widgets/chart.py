"""A trend line chart in braille: games along a dated x axis, one of them selectable.

Design:

* Drawn on a braille ``Canvas`` (2x4 dots per cell): each game is a dot,
  coloured by its result (green win, red loss); the rolling average (the
  library's own, ``TrendPoint.rolling``) is a solid line over them; the rank
  mean, when the metric has one, is a dotted reference line in the warning
  colour, and the y range always includes it so the gap to it is visible.
* The x axis is games in order, not wall time: a session of six games and
  the three idle days after it would otherwise become one column and a wide
  gap. Dates are printed under the axis where they fit, and sessions (games
  less than the session gap apart, end to start, as ``library.sessions``
  counts them) are shaded in alternate bands, so the calendar stays
  readable without costing the games their width.
* More games than dot columns: consecutive games share a dot column and it
  shows their mean, so 2,000 games fit 80 columns without wrapping or
  dropping the newest.
* Focus it (Tab) and ←/→ pick a game (Shift or PageUp/PageDown: a tenth of
  the range, Home/End: first/last); the line under the chart says which
  game it is, and Enter (or a click on the chart) posts ``Selected`` with
  its id, which the Trends view opens.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget

from rlcoach.library.queries import TrendPoint
from rlcoach.tui.widgets.braille import Canvas

GUTTER = 8  # y-axis labels
WIN, LOSS, UNKNOWN = "green", "red", "dim"
REFERENCE = "#c792ea"  # lavender: apart from the accent (average) and the result colours


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


def session_index(points: Sequence[TrendPoint], gap_minutes: float) -> list[int]:
    """Session number of each game: a new one starts after ``gap_minutes`` idle.

    Idle time runs from a game's end (start + duration, when known) to the
    next game's start: the library's rule for sessions.
    """
    out: list[int] = []
    gap = timedelta(minutes=gap_minutes)
    for i, p in enumerate(points):
        if i == 0:
            out.append(0)
            continue
        prev = points[i - 1]
        end = prev.played_at + timedelta(seconds=prev.duration or 0.0)
        out.append(out[-1] + (p.played_at - end >= gap))
    return out


class TrendChart(Widget, can_focus=True):
    DEFAULT_CSS = """
    TrendChart { height: 1fr; min-height: 6; }
    TrendChart:focus { background-tint: $foreground 4%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "Earlier", show=False),
        Binding("right", "move(1)", "Later", show=False),
        Binding("shift+left,pageup", "move(-10)", "Earlier ×", show=False),
        Binding("shift+right,pagedown", "move(10)", "Later ×", show=False),
        Binding("home", "move(-1000000)", "First", show=False),
        Binding("end", "move(1000000)", "Last", show=False),
        Binding("enter", "open", "Open game"),
    ]

    class Selected(Message):
        """A game was chosen on the chart (Enter or a click)."""

        def __init__(self, game_id: int) -> None:
            super().__init__()
            self.game_id = game_id

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.points: list[TrendPoint] = []
        self.window = 10
        self.fmt: Callable[[float], str] = lambda v: f"{v:.1f}"
        self.reference: tuple[float, str] | None = None
        self.sessions: list[int] = []
        self.cursor: int | None = None  # index into points; None until the chart is used
        self._col_of_game: list[int] = []  # cell column each game is drawn in (clicks)
        self._dots = 0  # dot columns in use (one per game, or per run of games)

    @property
    def values(self) -> list[float]:
        return [p.value for p in self.points]

    def set_data(self, points: Sequence[TrendPoint], window: int,
                 fmt: Callable[[float], str] | None = None, *,
                 reference: tuple[float, str] | None = None,
                 gap_minutes: float = 30.0) -> None:
        self.points, self.window, self.reference = list(points), window, reference
        self.sessions = session_index(self.points, gap_minutes)
        if fmt is not None:
            self.fmt = fmt
        if self.cursor is not None:
            self.cursor = min(self.cursor, len(self.points) - 1) if self.points else None
        self.refresh()

    # -- selection ------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if not self.points:
            return
        n = len(self.points)
        if abs(step) == 10:  # "a tenth of the range", at least one game
            step = max(1, n // 10) * (1 if step > 0 else -1)
        start = self.cursor if self.cursor is not None else n - 1
        self.cursor = max(0, min(n - 1, start + step))
        self.refresh()

    def action_open(self) -> None:
        if self.points:
            if self.cursor is None:
                self.cursor = len(self.points) - 1
            self.post_message(self.Selected(self.points[self.cursor].game_id))

    def on_focus(self) -> None:
        if self.cursor is None and self.points:
            self.cursor = len(self.points) - 1  # the newest game: what was just played
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        col = event.x - GUTTER
        if col < 0 or not self._col_of_game:
            return
        # The game drawn nearest the click (few games leave empty columns between).
        nearest = min(abs(c - col) for c in self._col_of_game)
        hits = [i for i, c in enumerate(self._col_of_game) if abs(c - col) == nearest]
        self.cursor = hits[len(hits) // 2]
        self.refresh()
        self.post_message(self.Selected(self.points[self.cursor].game_id))

    # -- drawing -----------------------------------------------------------------

    def render(self) -> Text:
        if not self.points:
            return Text("No games with this metric for the current filter.", style="dim")
        rows = max(2, self.content_size.height - 2)  # the plot; then dates, then a caption
        cols = max(5, self.content_size.width - GUTTER)
        canvas = Canvas(cols, rows)
        n = len(self.points)
        runs = bucket(n, canvas.width)
        xs = [round(k * (canvas.width - 1) / (len(runs) - 1)) if len(runs) > 1 else 0
              for k in range(len(runs))]
        vals = [sum(self.points[i].value for i in r) / len(r) for r in runs]
        avgs = [self.points[r[-1]].rolling for r in runs]
        self._col_of_game = [0] * n
        self._dots = len(runs)
        for k, r in enumerate(runs):
            for i in r:
                self._col_of_game[i] = xs[k] // 2
        bounds = vals + avgs + ([self.reference[0]] if self.reference else [])
        lo, hi = min(bounds), max(bounds)
        span = (hi - lo) or 1.0

        def y(v: float) -> int:
            return round((hi - v) / span * (canvas.height - 1))

        if self.reference:
            canvas.hline(y(self.reference[0]), REFERENCE, 0)
        for k, r in enumerate(runs):
            known = [p.result == "win" for i in r if (p := self.points[i]).result is not None]
            style = UNKNOWN if not known else WIN if sum(known) * 2 >= len(known) else LOSS
            canvas.dot(xs[k], y(vals[k]), style, 1)
        accent = self.app.current_theme.accent or "cyan"
        for k in range(1, len(runs)):
            canvas.line(xs[k - 1], y(avgs[k - 1]), xs[k], y(avgs[k]), f"bold {accent}", 2)
        if len(runs) == 1:
            canvas.dot(xs[0], y(avgs[0]), f"bold {accent}", 2)
        return self._compose_text(canvas, lo, hi)

    def _bands(self, cols: int) -> list[str]:
        """Background per cell column: alternate sessions shaded, when they fit."""
        band = self.app.theme_variables.get("panel", "grey15")
        first_game: dict[int, int] = {}
        for i, c in enumerate(self._col_of_game):
            first_game.setdefault(c, i)
        if not self.sessions or self.sessions[-1] + 1 > cols // 2:
            return [""] * cols  # narrower than two columns a session: bands would be noise
        out: list[str] = []
        last = ""
        for c in range(cols):
            game = first_game.get(c)
            if game is not None:
                last = f"on {band}" if self.sessions[game] % 2 else ""
            out.append(last)
        return out

    def _compose_text(self, canvas: Canvas, lo: float, hi: float) -> Text:
        bands = self._bands(canvas.cols)
        cursor_col = self._col_of_game[self.cursor] if self.cursor is not None and \
            self.has_focus else None
        text = Text(no_wrap=True)
        labels = {0: self.fmt(hi), canvas.rows - 1: self.fmt(lo)}
        if canvas.rows > 4:
            labels[canvas.rows // 2] = self.fmt((hi + lo) / 2)
        for r, line in enumerate(canvas.rows_of_cells()):
            text.append(f"{labels.get(r, ''):>{GUTTER - 1}} ", "dim")
            for c, (ch, style) in enumerate(line):
                look = f"{style} {bands[c]}".strip()
                if c == cursor_col:
                    look = f"{style} reverse".strip()
                text.append(ch, look or None)
            text.append("\n")
        text.append(" " * GUTTER)
        text.append(self._date_axis(canvas.cols), "dim")
        text.append("\n")
        text.append(" " * GUTTER)
        text.append_text(self._caption(len(self.sessions) and self.sessions[-1] + 1,
                                       bands != [""] * canvas.cols, canvas.cols))
        return text

    def _date_axis(self, cols: int) -> str:
        """Dates under the games they belong to, left to right, none overlapping."""
        first, last = self.points[0].played_at, self.points[-1].played_at
        pattern = "%Y-%m" if (last - first).days > 300 else "%d %b"
        axis = [" "] * cols
        free_from = 0
        step = max(1, len(self.points) // max(1, cols // 10))
        for i in [*range(0, len(self.points), step), len(self.points) - 1]:
            label = self.points[i].played_at.strftime(pattern)
            at = min(self._col_of_game[i], cols - len(label))
            if at < free_from or at < 0:
                continue
            axis[at:at + len(label)] = label
            free_from = at + len(label) + 2
        return "".join(axis)

    def _caption(self, sessions: int, banded: bool, width: int) -> Text:
        if self.cursor is not None and self.has_focus:
            p = self.points[self.cursor]
            res = {"win": ("win", WIN), "loss": ("loss", LOSS)}.get(p.result or "",
                                                                    ("no result", UNKNOWN))
            return Text.assemble(
                (f"{p.played_at:%Y-%m-%d %H:%M} ", "bold"), (self.fmt(p.value), "bold"), " ",
                res, (f"  avg {self.fmt(p.rolling)}  game {self.cursor + 1}/{len(self.points)}"
                      "  enter opens", "dim"))[:width]
        per_dot = len(self.points) / max(1, self._dots)
        note = f"{len(self.points)} games" + (f" ~{per_dot:.1f}/dot" if per_dot > 1.05 else "")
        # Most telling first; a part that would not fit is left out, not cut.
        parts = [(note, "dim"), ("● win", WIN), ("● loss", LOSS), (f"━ {self.window}-avg", "dim")]
        if self.reference:
            parts.append((f"⠒ {self.reference[1]}", REFERENCE))
        if banded:
            parts.append((f"▒ {sessions} sessions", "dim"))
        out = Text()
        for label, style in parts:
            if out.cell_len + len(label) + 2 > width:
                break
            out.append(("  " if out else "") + label, style)
        return out
