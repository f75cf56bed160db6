"""Match timeline: the game's moments (``tui.moments``) along the recording.

One lane per kind of moment (goals, shots, kickoffs, 50/50s, demos, zero
boost, double commits, mechanics; the coaching ones only when the report
has them),
each placed by its time as a share of the recording, coloured by team. It
is a picture of *when* things happened; the exact list, on the match clock,
sits below it in a table, so markers that collide at narrow widths lose
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widget import Widget

from rlcoach.tui.format import clock
from rlcoach.tui.moments import Moment, game_moments

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


LANES = (("goal", "Goals", "●"), ("shot", "Shots", "◆"), ("kickoff", "Kickoffs", "▲"),
         ("fifty", "50/50s", "◇"), ("demo", "Demos", "✕"), ("empty", "No boost", "○"),
         ("double", "Doubles", "‼"), ("mech", "Mechanics", "✦"))
ALWAYS = ("goal", "demo", "kickoff")  # lanes drawn even when empty, so "none" is visible


def from_report(report: dict[str, Any],
                my_team: str | None = None) -> tuple[float, list[Lane], list[Moment]]:
    """(time span, lanes, moments in time order) of a report v1.

    Moment times count from the start of the recording, which may begin
    before kickoff and end after ``duration``; the span covers every moment
    and every player's ``end_time`` so no marker falls off the end. Goals
    that could not be placed are in the moments (listed last), not on a lane.
    """
    moments = game_moments(report, my_team)
    lanes = [Lane(label, symbol, tuple(Mark(m.time, m.team) for m in moments
                                       if m.kind == kind and m.time is not None))
             for kind, label, symbol in LANES]
    lanes = [lane for (kind, _, _), lane in zip(LANES, lanes, strict=True)
             if lane.marks or kind in ALWAYS]
    ends = [float(report.get("replay", {}).get("duration") or 0.0)]
    ends += [float(p["end_time"]) for p in report.get("players", [])
             if p.get("end_time") is not None]
    ends += [m.time for m in moments if m.time is not None]
    return max(ends), lanes, moments


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

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
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
