"""Momentum: where the ball was and who had it, over the game clock.

The upper band is the ball's position along the pitch, averaged over five
seconds: above the middle line the ball is in orange's half (blue pressing),
below it in blue's half. The strip beneath shows possession spans from the
coaching analyses in the possessing team's colour. Goals are dashed lines
in the scorer's colour, demolitions small crosses along the top.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rlcoach.report.figures.pitch import HALF_LENGTH
from rlcoach.report.figures.svg import INK, MUTED, TEAM_COLOUR, document, el, text
from rlcoach.report.figures.timeaxis import axis_for

WIDTH = 640
LEFT = 70
RIGHT = 12
TOP = 16
BAND_H = 120
STRIP_H = 14
SMOOTH_S = 5


def smoothed(values: list[int], window: int = SMOOTH_S) -> np.ndarray:
    data = np.asarray(values, dtype=float)
    if data.size < window:
        return data
    kernel = np.ones(window) / window
    return np.convolve(np.pad(data, (window // 2, window - 1 - window // 2), mode="edge"),
                       kernel, mode="valid")


def _area(axis: Any, times: list[float], ys: np.ndarray, mid: float, sign: int) -> str:
    """Closed polygon of the part of the curve on one side of the middle."""
    scale = (BAND_H / 2) / HALF_LENGTH
    pts = [(axis.x(times[0]), mid)]
    pts += [(axis.x(t), mid - sign * max(sign * y, 0.0) * scale)
            for t, y in zip(times, ys, strict=False)]
    pts.append((axis.x(times[-1]), mid))
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)


def momentum_figure(report: dict[str, Any]) -> tuple[str, str] | None:
    timeline = report.get("timeline") or {}
    axis = axis_for(timeline, LEFT, WIDTH - LEFT - RIGHT)
    if axis is None:
        return None
    times = timeline["time"]
    ball = smoothed(timeline["ball_y"])
    mid = TOP + BAND_H / 2
    strip_top = TOP + BAND_H + 6
    height = int(strip_top + STRIP_H + 30)
    body = axis.draw(TOP, strip_top + STRIP_H, timeline.get("clock_ticks") or [])
    body.append(el("polygon", points=_area(axis, times, ball, mid, 1),
                   fill=TEAM_COLOUR["blue"], fill_opacity=0.55))
    body.append(el("polygon", points=_area(axis, times, ball, mid, -1),
                   fill=TEAM_COLOUR["orange"], fill_opacity=0.55))
    body.append(el("line", x1=float(LEFT), y1=mid, x2=float(WIDTH - RIGHT), y2=mid, stroke=MUTED))
    body.append(text(LEFT - 6, TOP + 12, "orange half", font_size=10, fill=MUTED,
                     text_anchor="end"))
    body.append(text(LEFT - 6, TOP + BAND_H - 4, "blue half", font_size=10, fill=MUTED,
                     text_anchor="end"))
    body.append(text(LEFT - 6, strip_top + 11, "possession", font_size=10, fill=MUTED,
                     text_anchor="end"))
    spans = ((report.get("coaching") or {}).get("possession") or {}).get("spans") or []
    held = {"blue": 0.0, "orange": 0.0}
    for s in spans:
        if s.get("time") is None or s.get("end") is None or s.get("team") not in held:
            continue
        held[s["team"]] += s["end"] - s["time"]
        x0, x1 = axis.x(s["time"]), axis.x(s["end"])
        body.append(el("rect", x=x0, y=float(strip_top), width=max(x1 - x0, 0.5),
                       height=float(STRIP_H), fill=TEAM_COLOUR[s["team"]]))
    for g in report["events"].get("goals", []):
        if g.get("time") is not None:
            x = axis.x(g["time"])
            body.append(el("line", x1=x, y1=float(TOP), x2=x, y2=float(strip_top + STRIP_H),
                           stroke=TEAM_COLOUR.get(g.get("team") or "", MUTED), stroke_width=2.0,
                           stroke_dasharray="5 3"))
    for d in report["events"].get("demolitions", []):
        if d.get("time") is not None:
            x = axis.x(d["time"])
            body.append(text(x, float(TOP + 4), "×", font_size=12, fill=INK,
                             text_anchor="middle"))
    in_orange = float(np.mean(np.asarray(timeline["ball_y"]) > 0)) if times else 0.0
    alt = f"The ball spent {in_orange:.0%} of the recording in orange's half"
    total = held["blue"] + held["orange"]
    if total > 0:
        alt += f"; blue held possession {held['blue'] / total:.0%} of the possessed time"
    alt += "."
    return document(WIDTH, height, "Momentum", alt, body), alt
