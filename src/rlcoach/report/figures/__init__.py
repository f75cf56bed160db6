"""Figures of one game, drawn from its report alone (pure: no I/O).

``build_figures(report)`` returns the figures a report supports, in reading
order, each as standalone SVG text with a title and an alt text that states
its point in words (for the Markdown dossier's image links, screen readers
and the HTML report). Figures whose data the report lacks (an older report
without the coaching section or the timeline) are left out rather than
drawn empty. See ``svg.py`` for why the SVG is hand-written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rlcoach.report.figures.boost import boost_figure
from rlcoach.report.figures.heatmap import heatmap_figure
from rlcoach.report.figures.kickoffs import kickoffs_figure
from rlcoach.report.figures.momentum import momentum_figure
from rlcoach.report.figures.shots import shots_figure


@dataclass(frozen=True)
class Figure:
    name: str  # file stem: "shots" -> shots.svg
    title: str
    alt: str
    svg: str


def build_figures(report: dict[str, Any],
                  history: dict[str, dict[str, Any]] | None = None) -> list[Figure]:
    """Every figure the report has data for. ``history``: player key -> heatmap
    averaged over recent games (from the library), drawn beside the game."""
    drawn = [
        ("momentum", "Momentum", momentum_figure(report)),
        ("shots", "Shot map", shots_figure(report)),
        ("boost", "Boost over time", boost_figure(report)),
        ("heatmaps", "Where each player spent their time", heatmap_figure(report, history)),
        ("kickoffs", "Kickoffs", kickoffs_figure(report)),
    ]
    return [Figure(name, title, alt, svg) for name, title, made in drawn if made is not None
            for svg, alt in [made]]
