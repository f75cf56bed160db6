"""Where each player spent their time: one small pitch per player.

Built from each player's ``heatmap`` (shares of tracked time on a coarse
grid). Each panel is drawn with that player's own goal on the left, so two
panels compare like with like. Colours use the 95th percentile of the
panel's non-empty cells as the top of the scale: one cell where a player sat
waiting on a kickoff would otherwise wash the rest of the pitch out. When an
average over the player's recent games is given (the library has it; a
single report does not), it is drawn beside the game for comparison.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rlcoach.report.figures.pitch import HALF_LENGTH, HALF_WIDTH, Pitch
from rlcoach.report.figures.svg import INK, MUTED, document, el, text, viridis

PANEL_W = 230
COLUMNS = 2
LABEL_H = 22
PAD = 10


def own_half_share(heat: dict[str, Any], team: str) -> float:
    cells = np.asarray(heat["cells"], dtype=float)
    half = cells.shape[0] // 2
    own = cells[:half] if team == "blue" else cells[half:]
    total = float(cells.sum())
    return float(own.sum()) / total if total > 0 else 0.0


def _panel(heat: dict[str, Any], pitch: Pitch, label: str, highlight: bool) -> list[str]:
    cells = np.asarray(heat["cells"], dtype=float)
    rows, cols = cells.shape
    nonzero = cells[cells > 0]
    top = float(np.percentile(nonzero, 95)) if nonzero.size else 1.0
    shapes = pitch.outline()
    dy, dx = 2 * HALF_LENGTH / rows, 2 * HALF_WIDTH / cols
    for r in range(rows):
        for c in range(cols):
            if cells[r, c] <= 0:
                continue
            y0 = -HALF_LENGTH + r * dy
            x0 = -HALF_WIDTH + c * dx
            sx, sy, w, h = pitch.cell(y0, y0 + dy, x0, x0 + dx)
            shapes.append(el("rect", x=sx, y=sy, width=w, height=h,
                             fill=viridis(cells[r, c] / top), fill_opacity=0.85))
    weight = "700" if highlight else "400"
    shapes.append(text(pitch.left, pitch.top - 6, label, font_size=12, fill=INK,
                       font_weight=weight))
    return shapes


def heatmap_figure(report: dict[str, Any],
                   history: dict[str, dict[str, Any]] | None = None) -> tuple[str, str]:
    """(svg, alt): one panel per player, plus their recent average when given."""
    players = sorted(report["players"], key=lambda p: (not p.get("is_me"), p["team"], p["name"]))
    panels: list[tuple[dict[str, Any], str, str, bool]] = []
    for p in players:
        panels.append((p["heatmap"], p["team"], f"{p['name']} ({p['team']})", bool(p.get("is_me"))))
        if history and p["key"] in history:
            panels.append((history[p["key"]], p["team"], f"{p['name']}: recent average",
                           bool(p.get("is_me"))))
    probe = Pitch(0, 0, PANEL_W)
    cell_h = probe.height + LABEL_H + PAD
    rows = max(1, -(-len(panels) // COLUMNS))
    width = COLUMNS * (PANEL_W + PAD) + PAD
    height = int(rows * cell_h + PAD + 16)
    body: list[str] = []
    for n, (heat, team, label, me) in enumerate(panels):
        col, row = n % COLUMNS, n // COLUMNS
        pitch = Pitch(PAD + col * (PANEL_W + PAD), PAD + LABEL_H + row * cell_h, PANEL_W,
                      flip=team == "orange")
        body += _panel(heat, pitch, label, me)
    body.append(text(PAD, height - 6, "Own goal on the left · brighter = more time",
                     font_size=11, fill=MUTED))
    shares = [f"{p['name']} {own_half_share(p['heatmap'], p['team']):.0%}" for p in players]
    alt = ("Share of time in their own half: " + ", ".join(shares) + "."
           if shares else "No players were tracked.")
    return document(width, height, "Where each player spent their time", alt, body), alt
