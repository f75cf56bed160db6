"""Kickoffs: who spawned where, who went, how, and who won.

One small pitch per kickoff from the coaching analyses: every player's
spawn (left/right as the player sees it facing the opponents' goal, the
analysis's own convention), the takers drawn larger and labelled with their
approach, and the panel titled with the clock and the outcome. Reports made
before the kickoff analysis existed get no figure.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from xml.sax.saxutils import escape

from rlcoach.report.figures.pitch import Pitch
from rlcoach.report.figures.svg import INK, MUTED, TEAM_COLOUR, document, el, text

PANEL_W = 150
COLUMNS = 4
PAD = 10
TITLE_H = 28
# Distance across (|x|) and from the own goal line's centre (|y|) per spawn kind.
_SPAWN = {"diagonal": (2048.0, 2560.0), "off_center": (256.0, 3840.0), "center": (0.0, 4608.0)}


def spawn_point(spawn: str, team: str) -> tuple[float, float] | None:
    kind, _, side = spawn.rpartition("_") if spawn != "center" else ("center", "", "")
    if kind not in _SPAWN:
        return None
    across, back = _SPAWN[kind]
    attack = 1.0 if team == "blue" else -1.0
    sign = -1.0 if side == "left" else 1.0
    return sign * across * attack, -back * attack


def _approach(text_: str) -> str:
    return text_.replace("_", " ")


def _panel(k: dict[str, Any], pitch: Pitch) -> list[str]:
    shapes = pitch.outline()
    outcome = k.get("outcome") or {}
    winner = outcome.get("winner_team")
    takers = [p for p in k["players"] if p.get("role") == "taker"]
    how = " vs ".join(_approach(p.get("approach", "?")) for p in takers)
    result = f"{winner} won" if winner else "neutral"
    shapes.append(text(pitch.left, pitch.top - 16, f"#{k.get('index', 0) + 1} "
                       f"{k.get('clock') or ''} · {result}", font_size=11, fill=INK,
                       font_weight="700"))
    shapes.append(text(pitch.left, pitch.top - 4, how, font_size=9, fill=MUTED))
    for p in k["players"]:
        point = spawn_point(p.get("spawn", ""), p["team"])
        if point is None:
            continue
        cx, cy = pitch.at(*point)
        taker = p.get("role") == "taker"
        shapes.append(el("circle", el("title", _title(p)), cx=cx, cy=cy, r=5.0 if taker else 3.0,
                         fill=TEAM_COLOUR.get(p["team"], MUTED),
                         stroke=INK if taker else "white", stroke_width=1.2))
    return shapes


def _title(p: dict[str, Any]) -> str:
    approach = _approach(p.get("approach", "?"))
    return escape(f"{p.get('name', '?')}: {p.get('spawn', '?')}, {approach}")


def kickoffs_figure(report: dict[str, Any]) -> tuple[str, str] | None:
    kicks = (report.get("coaching") or {}).get("kickoffs")
    if not kicks:
        return None
    probe = Pitch(0, 0, PANEL_W)
    cell_h = probe.height + TITLE_H + PAD
    rows = -(-len(kicks) // COLUMNS)
    width = COLUMNS * (PANEL_W + PAD) + PAD
    height = int(rows * cell_h + PAD)
    body: list[str] = []
    for n, k in enumerate(kicks):
        col, row = n % COLUMNS, n // COLUMNS
        body += _panel(k, Pitch(PAD + col * (PANEL_W + PAD), PAD + TITLE_H + row * cell_h, PANEL_W))
    wins = Counter((k.get("outcome") or {}).get("winner_team") or "neutral" for k in kicks)
    alt = (f"{len(kicks)} kickoffs: blue won {wins['blue']}, orange won {wins['orange']}, "
           f"{wins['neutral']} neutral.")
    return document(width, height, "Kickoffs", alt, body), alt
