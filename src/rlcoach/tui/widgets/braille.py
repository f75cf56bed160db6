"""A braille dot canvas: 2x4 dots per character cell, one style per cell.

Unicode braille (U+2800-U+28FF) gives each terminal cell eight dots, so a
chart 70 cells wide has 140 distinct x positions and four times the rows:
enough for a line that reads as a line, with no graphics protocol and no
dependency. A cell can show only one colour, so every dot carries a
priority and the cell takes the style of its highest-priority dot (the
rolling average wins over the per-game points, which win over reference
lines). Pure: the chart widget turns ``rows()`` into Rich text.
"""

from __future__ import annotations

# Bit of each dot, indexed [row 0-3][column 0-1], per the Unicode braille layout.
_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
BLANK = 0x2800


class Canvas:
    def __init__(self, cols: int, rows: int) -> None:
        self.cols, self.rows = max(1, cols), max(1, rows)
        self._bits = [[0] * self.cols for _ in range(self.rows)]
        self._style: list[list[tuple[int, str]]] = [[(-1, "")] * self.cols
                                                    for _ in range(self.rows)]

    @property
    def width(self) -> int:
        """Dots across."""
        return self.cols * 2

    @property
    def height(self) -> int:
        """Dots down (0 is the top)."""
        return self.rows * 4

    def dot(self, x: int, y: int, style: str, priority: int = 0) -> None:
        if not (0 <= x < self.width and 0 <= y < self.height):
            return
        row, col = y // 4, x // 2
        self._bits[row][col] |= _BITS[y % 4][x % 2]
        if priority >= self._style[row][col][0]:
            self._style[row][col] = (priority, style)

    def line(self, x0: int, y0: int, x1: int, y1: int, style: str, priority: int = 0) -> None:
        """Every dot between two dots (a DDA walk: no gaps on steep segments)."""
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for k in range(steps + 1):
            self.dot(round(x0 + (x1 - x0) * k / steps), round(y0 + (y1 - y0) * k / steps),
                     style, priority)

    def hline(self, y: int, style: str, priority: int = 0, every: int = 2) -> None:
        """A dotted horizontal line (one dot in ``every``), for references."""
        for x in range(0, self.width, every):
            self.dot(x, y, style, priority)

    def cell(self, row: int, col: int) -> tuple[str, str]:
        """(character, style) of one cell; blank cells are spaces."""
        bits = self._bits[row][col]
        return (chr(BLANK + bits) if bits else " "), self._style[row][col][1]

    def rows_of_cells(self) -> list[list[tuple[str, str]]]:
        return [[self.cell(r, c) for c in range(self.cols)] for r in range(self.rows)]
