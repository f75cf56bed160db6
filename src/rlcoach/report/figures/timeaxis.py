"""A time axis labelled with the game clock the players saw.

Charts plot recording time (seconds since the recording started, the
report's ``time``) because it is monotonic; labels come from the report's
``timeline.clock_ticks`` (where the clock first shows each whole minute, and
where overtime starts). Replays without a clock are labelled with recording
time and say so, rather than guessing a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rlcoach.report.figures.svg import GRID, MUTED, el, text


@dataclass(frozen=True)
class TimeAxis:
    left: float
    width: float
    start: float
    end: float

    def x(self, t: float) -> float:
        span = max(self.end - self.start, 1e-9)
        return self.left + (min(max(t, self.start), self.end) - self.start) / span * self.width

    def draw(self, top: float, bottom: float, ticks: list[list[Any]]) -> list[str]:
        """Vertical grid lines with labels below ``bottom``."""
        shapes: list[str] = []
        labelled = ticks or [[float(s), f"{int(s - self.start) // 60}:00 rec"]
                             for s in range(int(self.start), int(self.end) + 1, 60)]
        for t, label in labelled:
            if not self.start <= t <= self.end:
                continue
            x = self.x(t)
            shapes.append(el("line", x1=x, y1=top, x2=x, y2=bottom, stroke=GRID, stroke_width=1.0))
            shapes.append(text(x, bottom + 13, label, font_size=10, fill=MUTED,
                               text_anchor="middle"))
        return shapes


def axis_for(timeline: dict[str, Any], left: float, width: float) -> TimeAxis | None:
    times = timeline.get("time") or []
    if len(times) < 2:
        return None
    return TimeAxis(left, width, float(times[0]), float(times[-1]))
