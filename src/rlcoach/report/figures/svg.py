"""The few SVG primitives the figures need, and their colours.

Hand-written SVG rather than a plotting library: the figures are a handful
of rectangles, lines and dots on a pitch, the output must be small enough to
inline in a single-file HTML report, byte-identical across runs (goldens,
screenshots), and importable without a GUI backend or a font cache. Every
attribute and text goes through ``xml.sax.saxutils`` escaping: player names
come from replays and are untrusted.

Colours: Okabe-Ito's blue and orange for the teams (distinct under the
common colour-vision deficiencies, and close to the game's own team
colours); a viridis ramp for densities (perceptually uniform, readable in
grey scale).
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

TEAM_COLOUR = {"blue": "#0072B2", "orange": "#E69F00"}
INK = "#222222"
MUTED = "#888888"
GRID = "#d9d9d9"
FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"

# viridis at nine evenly spaced stops (matplotlib's table).
_VIRIDIS = ((68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
            (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37))


def viridis(share: float) -> str:
    """Colour for ``share`` in [0, 1] (clipped), linearly between the stops."""
    x = min(max(share, 0.0), 1.0) * (len(_VIRIDIS) - 1)
    lo = int(x)
    hi = min(lo + 1, len(_VIRIDIS) - 1)
    f = x - lo
    r, g, b = (round(a + (c - a) * f) for a, c in zip(_VIRIDIS[lo], _VIRIDIS[hi], strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def num(value: float) -> str:
    """Coordinates with one decimal, no trailing zeros: small and stable."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def el(tag: str, body: str | Iterable[str] = "", /, **attrs: object) -> str:
    """One element; ``class_`` and ``stroke_width`` style keywords map to SVG names."""
    parts = [tag]
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        text = num(value) if isinstance(value, float) else str(value)
        parts.append(f"{name}={quoteattr(text)}")
    inner = body if isinstance(body, str) else "".join(body)
    head = " ".join(parts)
    return f"<{head}>{inner}</{tag}>" if inner else f"<{head}/>"


def text(x: float, y: float, content: str, **attrs: object) -> str:
    return el("text", escape(content), x=float(x), y=float(y), **attrs)


def document(width: int, height: int, title: str, desc: str, body: Iterable[str]) -> str:
    """A standalone SVG with an accessible title and description."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" style="{FONT}">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
        + "".join(body) + "</svg>"
    )


def polyline_segments(points: list[tuple[float, float] | None], **attrs: object) -> list[str]:
    """Polylines for runs of points, broken where a point is None (a gap in the data)."""
    out: list[str] = []
    run: list[tuple[float, float]] = []
    for p in [*points, None]:
        if p is not None:
            run.append(p)
            continue
        if len(run) > 1:
            out.append(el("polyline", points=" ".join(f"{num(x)},{num(y)}" for x, y in run),
                          fill="none", **attrs))
        run = []
    return out
