"""Shot map: every shot from where it was taken, sized by its xG.

Blue attacks the right-hand goal and orange the left, as in the game's own
overview. A dot's area grows with the shot's expected-goal value (the
coaching analyses' model, named in the legend), so a map of many weak shots
looks different from one of a few good chances; goals are ringed in black
and the player's own shots (``is_me``) carry a dark outline. Without the
coaching section (older reports) the map says so instead of inventing
shots.
"""

from __future__ import annotations

import math
from typing import Any
from xml.sax.saxutils import escape

from rlcoach.report.figures.pitch import Pitch
from rlcoach.report.figures.svg import INK, MUTED, TEAM_COLOUR, document, el, text

WIDTH = 560
PAD = 12


def _radius(xg: float | None) -> float:
    return 3.0 + 14.0 * math.sqrt(max(xg or 0.0, 0.0))


def shots_summary(shots: list[dict[str, Any]]) -> str:
    parts = []
    for team in ("blue", "orange"):
        mine = [s for s in shots if s.get("team") == team]
        xg = sum(s.get("xg") or 0.0 for s in mine)
        goals = sum(1 for s in mine if s.get("goal"))
        noun = "shot" if len(mine) == 1 else "shots"
        parts.append(f"{team.capitalize()} took {len(mine)} {noun} worth {xg:.1f} xG "
                     f"and scored {goals}")
    return "; ".join(parts) + "."


def shots_figure(report: dict[str, Any]) -> tuple[str, str]:
    pitch = Pitch(PAD, PAD + 18, WIDTH - 2 * PAD)
    height = int(pitch.top + pitch.height + 40)
    body = pitch.outline()
    body.append(text(PAD, PAD + 8, "Blue attacks →   ← Orange attacks", font_size=12, fill=INK))
    shots = (report.get("coaching") or {}).get("shots")
    me = {p["key"] for p in report["players"] if p.get("is_me")}
    if shots is None:
        alt = "This report has no shot analysis (made before rlcoach analysed shots)."
        body.append(text(WIDTH / 2, pitch.top + pitch.height / 2, alt, font_size=12,
                         fill=MUTED, text_anchor="middle"))
        return document(WIDTH, height, "Shot map", alt, body), alt
    # Largest first so that small dots stay visible on top of big ones.
    for s in sorted(shots, key=lambda s: -(s.get("xg") or 0.0)):
        x, y = s["position"][0], s["position"][1]
        cx, cy = pitch.at(x, y)
        label = f"{s.get('name', '?')} {s.get('clock') or ''} xG {s.get('xg', 0):.2f}"
        if s.get("goal"):
            label += " (goal)"
        body.append(el("circle", el("title", escape(label)), cx=cx, cy=cy, r=_radius(s.get("xg")),
                       fill=TEAM_COLOUR.get(s.get("team", ""), MUTED), fill_opacity=0.75,
                       stroke=INK if s.get("player") in me else "white",
                       stroke_width=2.0 if s.get("player") in me else 0.8))
        if s.get("goal"):
            body.append(el("circle", cx=cx, cy=cy, r=_radius(s.get("xg")) + 3.0, fill="none",
                           stroke=INK, stroke_width=1.5))
    models = sorted({str(s.get("model")) for s in shots if s.get("model")})
    legend = "Dot area = xG" + (f" ({', '.join(models)})" if models else "") + " · ringed = goal"
    body.append(text(PAD, height - 10, legend, font_size=11, fill=MUTED))
    alt = shots_summary(shots) if shots else "No shots were taken."
    return document(WIDTH, height, "Shot map", alt, body), alt
