"""Boost over time, one strip per player, on the game clock.

Each strip is the player's boost (0-100) from the report's one-second
``timeline``; grey bands mark stretches at zero boost, small triangles the
big pads picked up, and dashed lines the goals in the scoring team's colour.
Gaps in a line are times the player was not on the pitch (not yet joined,
left, or waiting to respawn): the replay has no level for them.
"""

from __future__ import annotations

from typing import Any

from rlcoach.report.figures.svg import (
    INK,
    MUTED,
    TEAM_COLOUR,
    document,
    el,
    polyline_segments,
    text,
)
from rlcoach.report.figures.timeaxis import axis_for

WIDTH = 640
LEFT = 118
RIGHT = 12
STRIP_H = 44
GAP = 10
TOP = 12


def zero_stretches(levels: list[int | None], times: list[float]) -> list[tuple[float, float]]:
    """(start, end) recording times of runs at zero boost."""
    runs: list[tuple[float, float]] = []
    start: float | None = None
    for t, v in zip([*times, None], [*levels, None], strict=True):
        if v == 0 and t is not None:
            start = t if start is None else start
        elif start is not None:
            runs.append((start, t if t is not None else times[-1]))
            start = None
    return runs


def boost_figure(report: dict[str, Any]) -> tuple[str, str] | None:
    timeline = report.get("timeline") or {}
    axis = axis_for(timeline, LEFT, WIDTH - LEFT - RIGHT)
    if axis is None:
        return None
    times = timeline["time"]
    players = sorted(report["players"], key=lambda p: (p["team"], p["name"]))
    height = TOP + len(players) * (STRIP_H + GAP) + 24
    body = axis.draw(TOP, height - 24, timeline.get("clock_ticks") or [])
    pickups = report["events"].get("boost_pickups", [])
    summary = []
    for n, p in enumerate(players):
        top = TOP + n * (STRIP_H + GAP)
        levels = timeline.get("boost", {}).get(p["key"], [])
        colour = TEAM_COLOUR[p["team"]]
        for a, b in zero_stretches(levels, times):
            body.append(el("rect", x=axis.x(a), y=float(top), width=max(axis.x(b) - axis.x(a), 1.0),
                           height=float(STRIP_H), fill="#bdbdbd", fill_opacity=0.6))
        body.append(el("rect", x=float(LEFT), y=float(top), width=axis.width,
                       height=float(STRIP_H), fill="none", stroke="#e0e0e0"))
        points = [None if v is None else (axis.x(t), top + STRIP_H * (1 - v / 100))
                  for t, v in zip(times, levels, strict=False)]
        body += polyline_segments(points, stroke=colour,
                                  stroke_width=2.2 if p.get("is_me") else 1.3)
        for pk in pickups:
            if pk["player"] == p["key"] and pk["pad"] == "big" and pk.get("time") is not None:
                x = axis.x(pk["time"])
                body.append(el("polygon", points=f"{x - 3:.1f},{top:.1f} {x + 3:.1f},{top:.1f} "
                                                 f"{x:.1f},{top + 5:.1f}", fill=INK))
        name = p["name"] if len(p["name"]) <= 16 else p["name"][:15] + "…"
        body.append(text(LEFT - 6, top + STRIP_H / 2 + 4, name, font_size=11,
                         fill=INK, text_anchor="end",
                         font_weight="700" if p.get("is_me") else "400"))
        known = [v for v in levels if v is not None]
        zero = sum(1 for v in known if v == 0) * float(timeline.get("step", 1.0))
        if known:
            summary.append(f"{p['name']} averaged {sum(known) / len(known):.0f} boost "
                           f"with {zero:.0f} s at zero")
    for g in report["events"].get("goals", []):
        if g.get("time") is None:
            continue
        x = axis.x(g["time"])
        body.append(el("line", x1=x, y1=float(TOP), x2=x, y2=float(height - 24),
                       stroke=TEAM_COLOUR.get(g.get("team") or "", MUTED), stroke_width=1.5,
                       stroke_dasharray="4 3"))
    alt = ("; ".join(summary) + ".") if summary else "No boost levels were recorded."
    return document(WIDTH, height, "Boost over time", alt, body), alt
