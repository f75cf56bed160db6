"""Match timeline: goals, demolitions and kickoffs along the match clock.

One lane per event kind, each event placed by its time as a share of the
match duration, coloured by team. It is a picture of *when* things happened;
the exact list sits beside it in a table, so markers that collide at narrow
widths lose nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

from rlcoach.tui.format import clock

TEAM_COLOURS = {"blue": "#4a9eff", "orange": "#ff8c1a"}
LABEL_WIDTH = 10


@dataclass(frozen=True)
class Mark:
    time: float
    team: str | None  # blue / orange / None (neutral, e.g. a kickoff nobody won)


@dataclass(frozen=True)
class Lane:
    label: str
    symbol: str
    marks: tuple[Mark, ...]


class Timeline(Widget):
    DEFAULT_CSS = """
    Timeline { height: auto; min-height: 5; padding: 0 1; }
    """

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.duration = 1.0
        self.lanes: list[Lane] = []

    def set_data(self, duration: float, lanes: list[Lane]) -> None:
        self.duration = max(duration, 1.0)
        self.lanes = lanes
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:  # type: ignore[no-untyped-def]
        return len(self.lanes) + 1

    def _col(self, t: float, track: int) -> int:
        return min(track - 1, max(0, int(t / self.duration * (track - 1) + 0.5)))

    def render(self) -> Text:
        track = max(10, self.content_size.width - LABEL_WIDTH)
        text = Text(no_wrap=True)
        for lane in self.lanes:
            cells: list[tuple[str, str]] = [("·", "dim")] * track
            for mark in lane.marks:
                colour = TEAM_COLOURS.get(mark.team or "", "")
                cells[self._col(mark.time, track)] = (lane.symbol, f"bold {colour}".strip())
            text.append(f"{lane.label:<{LABEL_WIDTH}}"[:LABEL_WIDTH], "bold")
            for ch, style in cells:
                text.append(ch, style)
            text.append("\n")
        # Axis: start, middle and end of the match clock.
        axis = [" "] * track
        for t in (0.0, self.duration / 2, self.duration):
            label = clock(t)
            col = self._col(t, track)
            start = min(max(0, col - len(label) // 2), track - len(label))
            axis[start:start + len(label)] = list(label)
        text.append(" " * LABEL_WIDTH + "".join(axis), "dim")
        return text
