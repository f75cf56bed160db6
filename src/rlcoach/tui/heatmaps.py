"""Turn a report's ``players[].heatmap`` into a grid the heatmap widget draws.

The widget wants rows top to bottom and columns from the blue goal (left)
to the orange goal (right): the field's length runs across the terminal,
which is wider than it is tall. Reports that predate the heatmap, or whose
analysis could not track the user, have none; we say so in words rather
than drawing an empty field that looks like "never moved".
"""

from __future__ import annotations

from typing import Any

from rlcoach.library.queries import GameDetail

NO_DATA = "No position data in this report."


def _me(detail: GameDetail) -> dict[str, Any] | None:
    me = next((p for p in detail.players if p.is_me), None)
    if me is None:
        return None
    for player in detail.report.get("players", []):
        if player.get("name") == me.name and player.get("team") == me.team:
            return player
    return None


def player_heatmap(detail: GameDetail) -> tuple[list[list[float]] | None, str]:
    """(screen grid, caption) for the user, or (None, why there is none)."""
    player = _me(detail)
    if player is None:
        return None, "You are not in this game, so there is no heatmap of you."
    heat = player.get("heatmap")
    if not heat:
        return None, NO_DATA
    try:
        grid = to_screen_grid(heat)
    except (KeyError, TypeError, ValueError, IndexError):
        return None, NO_DATA + " (its heatmap has a shape this version cannot read)"
    if not grid or not any(v for row in grid for v in row):
        return None, NO_DATA
    return grid, "Share of your time in each part of the field."


def to_screen_grid(heat: dict[str, Any]) -> list[list[float]]:
    """Report heatmap -> rows across the field's width, columns along its length.

    The report stores ``cells[i][j]`` with ``i`` along the field's length
    (y, blue goal first) and ``j`` across its width (x), so the screen grid
    is its transpose.
    """
    cells = heat["cells"]
    length, width = len(cells), len(cells[0])
    return [[float(cells[i][j]) for i in range(length)] for j in range(width)]
