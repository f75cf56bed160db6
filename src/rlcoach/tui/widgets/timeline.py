"""Match timeline: goals, demolitions and kickoffs along the match clock.

One lane per event kind, each event placed by its time as a share of the
match duration, coloured by team. It is a picture of *when* things happened;
the exact list sits beside it in a table, so markers that collide at narrow
widths lose nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class EventRow:
    time: float
    kind: str
    team: str | None
    detail: str


def from_report(report: dict[str, Any]) -> tuple[float, list[Lane], list[EventRow]]:
    """(clock span, lanes, rows in time order) from a report v1's events.

    Event times count from the start of the recording, which may begin
    before kickoff and end after ``duration``; the span covers every event
    and every player's ``end_time`` so no marker falls off the end.
    """
    events = report.get("events", {})
    players = report.get("players", [])
    who = {p.get("key"): (p.get("name") or "?", p.get("team")) for p in players}

    def name(key: str | None, missing: str = "unknown") -> str:
        return who[key][0] if key in who else missing

    def team(key: str | None) -> str | None:
        return who[key][1] if key in who else None

    def kickoff_team(e: dict[str, Any]) -> str | None:
        # Newer reports state it; older ones only name the player.
        return e.get("first_touch_team") or team(e.get("first_touch"))

    def timed(kind: str) -> list[dict[str, Any]]:
        # An event without a usable time cannot be placed; skip it, keep the rest.
        return [e for e in events.get(kind) or [] if isinstance(e.get("time"), int | float)]

    goals, demos, kickoffs = timed("goals"), timed("demolitions"), timed("kickoffs")
    lanes = [
        Lane("Goals", "●", tuple(Mark(e["time"], e.get("team")) for e in goals)),
        Lane("Demos", "✕", tuple(Mark(e["time"], team(e.get("attacker"))) for e in demos)),
        Lane("Kickoffs", "▲", tuple(Mark(e["time"], kickoff_team(e)) for e in kickoffs)),
    ]
    rows = [EventRow(e["time"], "Goal", e.get("team"), name(e.get("scorer")) + (
        f" (assist {name(e['assister'])})" if e.get("assister") else "")) for e in goals]
    rows += [EventRow(e["time"], "Demo", team(e.get("attacker")),
                      f"{name(e.get('attacker'))} → {name(e.get('victim'))}") for e in demos]
    rows += [EventRow(e["time"], "Kickoff", kickoff_team(e),
                      f"first touch: {name(e.get('first_touch'), 'nobody')}"
                      + ("  (goal within 5 s)" if e.get("goal_within_5s") else ""))
             for e in kickoffs]
    ends = [float(report.get("replay", {}).get("duration") or 0.0)]
    ends += [float(p["end_time"]) for p in players if p.get("end_time") is not None]
    ends += [r.time for r in rows]
    return max(ends), lanes, sorted(rows, key=lambda r: r.time)


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
