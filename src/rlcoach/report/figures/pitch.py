"""The pitch, seen from above, with the blue goal on the left.

Field coordinates are the game's (unreal units): the length runs along y
from the blue goal (-5120) to the orange goal (+5120), the width along x
(-4096 to +4096). On screen the length runs left to right, so the pitch
keeps its real 5120:4096 proportions. Figures about one player turn the
pitch half a turn for orange, so that the player's own goal is always on the
left and their left (facing the opponents' goal) is always up.
"""

from __future__ import annotations

from dataclasses import dataclass

from rlcoach.report.figures.svg import GRID, MUTED, el

HALF_LENGTH = 5120.0
HALF_WIDTH = 4096.0
GOAL_HALF_WIDTH = 893.0
GOAL_DEPTH = 880.0
CORNER = 1152.0  # the corner cut, measured along each wall


@dataclass(frozen=True)
class Pitch:
    """Maps field (x, y) to screen pixels inside a box of the given width."""

    left: float
    top: float
    width: float
    flip: bool = False  # half a turn: the orange goal on the left

    @property
    def scale(self) -> float:
        return self.width / (2 * (HALF_LENGTH + GOAL_DEPTH))

    @property
    def height(self) -> float:
        return 2 * HALF_WIDTH * self.scale

    def at(self, x: float, y: float) -> tuple[float, float]:
        along, across = (-y, -x) if self.flip else (y, x)
        sx = self.left + (along + HALF_LENGTH + GOAL_DEPTH) * self.scale
        sy = self.top + (HALF_WIDTH - across) * self.scale
        return sx, sy

    def cell(self, y0: float, y1: float, x0: float, x1: float) -> tuple[float, float, float, float]:
        """Screen rect (left, top, width, height) of a field rectangle."""
        (ax, ay), (bx, by) = self.at(x0, y0), self.at(x1, y1)
        return min(ax, bx), min(ay, by), abs(bx - ax), abs(by - ay)

    def outline(self) -> list[str]:
        """Walls with cut corners, both goals, halfway line and centre circle."""
        L, W, C = HALF_LENGTH, HALF_WIDTH, CORNER
        wall = [(-W + C, -L), (W - C, -L), (W, -L + C), (W, L - C), (W - C, L), (-W + C, L),
                (-W, L - C), (-W, -L + C)]
        pts = " ".join(f"{sx:.1f},{sy:.1f}" for sx, sy in (self.at(x, y) for x, y in wall))
        shapes = [el("polygon", points=pts, fill="#f7f7f2", stroke=MUTED, stroke_width=1.2)]
        for end in (-1, 1):
            gx, gy, gw, gh = self.cell(end * L, end * (L + GOAL_DEPTH), -GOAL_HALF_WIDTH,
                                       GOAL_HALF_WIDTH)
            shapes.append(el("rect", x=gx, y=gy, width=gw, height=gh, fill="none",
                             stroke=MUTED, stroke_width=1.2))
        (hx, hy0), (_, hy1) = self.at(W, 0), self.at(-W, 0)
        shapes.append(el("line", x1=hx, y1=hy0, x2=hx, y2=hy1, stroke=GRID, stroke_width=1.0))
        cx, cy = self.at(0, 0)
        shapes.append(el("circle", cx=cx, cy=cy, r=1000 * self.scale, fill="none", stroke=GRID,
                         stroke_width=1.0))
        return shapes
