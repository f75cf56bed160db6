"""Turn a report's ``players[].heatmap`` into a grid the heatmap widget draws.

The widget wants rows top to bottom and columns from the player's own goal
(left) to the opponents' (right): the field's length runs across the
terminal, which is wider than it is tall. An orange player's grid is turned
half a turn (as ``library.heatmaps`` does for the average), so every game
and the average over games read the same way round. Reports that predate the heatmap, or whose
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
    if player.get("team") == "orange":
        grid = own_goal_left(grid)
    return grid, "Share of your time in each part of the field."


def own_goal_left(grid: list[list[float]]) -> list[list[float]]:
    """Half a turn: the orange goal (right in field coordinates) comes to the left."""
    return [row[::-1] for row in reversed(grid)]


def average_grid(average: dict[str, Any] | None) -> list[list[float]] | None:
    """``library.heatmaps.my_recent_heatmap``'s own-goal-first grid, for the screen."""
    if not average:
        return None
    try:
        return to_screen_grid(average)
    except (KeyError, TypeError, ValueError, IndexError):
        return None


GRID_KEYS = ("cells", "grid", "shares", "values", "counts")


def to_screen_grid(heat: dict[str, Any]) -> list[list[float]]:
    """Report heatmap -> rows across the field's width, columns along its length.

    Reads a 2-D list under one of ``GRID_KEYS`` (or a flat one with
    ``x_bins``/``y_bins``). The contract says "a coarse grid of time shares"
    without fixing the axis order yet, so: ``axes: ["y", "x"]`` (or
    ``["x", "y"]``) is obeyed when present; otherwise the axis with more bins
    is taken as the length (the field is 10,240 uu long and 8,192 wide), and
    on a tie the outer index runs along the length. Index 0 of the length is
    the blue goal (negative y), which the widget draws on the left.
    """
    grid = next((heat[k] for k in GRID_KEYS if k in heat), None)
    if grid is None:
        raise KeyError("no grid")
    if grid and not isinstance(grid[0], list):  # flat, row-major over y then x
        nx, ny = int(heat["x_bins"]), int(heat["y_bins"])
        grid = [grid[i * nx:(i + 1) * nx] for i in range(ny)]
        heat = {**heat, "axes": ["y", "x"]}
    outer, inner = len(grid), len(grid[0])
    axes = heat.get("axes")
    outer_is_length = axes[0] == "y" if axes else outer >= inner
    if outer_is_length:
        return [[float(grid[i][j]) for i in range(outer)] for j in range(inner)]
    return [[float(v) for v in row] for row in grid]
