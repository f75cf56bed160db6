"""The user's average position heatmap over their recent games.

Figures draw it beside a game's heatmap (``report.figures``). Each stored
game's grid is turned to the user's own point of view first (an orange
game's grid rotated half a turn, so row 0 is always the user's own goal
line) and the grids are averaged with equal weight per game. The result is
returned in that own-goal-first orientation; ``facing(grid, team)`` turns it
back to a given team's field coordinates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rlcoach import paths
from rlcoach.config import Identity
from rlcoach.errors import RlcoachError
from rlcoach.library.db import Library, open_library
from rlcoach.library.filters import GameFilter, resolve_identity
from rlcoach.library.queries import game_report, recent_games


def my_recent_heatmap(library: Library, *, last: int = 20, identity: Identity | None = None,
                      exclude_sha: str | None = None) -> tuple[dict[str, Any], int] | None:
    """(heatmap averaged over up to ``last`` recent games, games used), or None."""
    me = resolve_identity(identity)
    grids: list[np.ndarray] = []
    for row in recent_games(library, filters=GameFilter(mine_only=True), limit=last + 1,
                            identity=me):
        report = game_report(library, row.game_id)
        if report["replay"].get("sha256") == exclude_sha:
            continue
        player = next((p for p in report["players"]
                       if me.matches(p.get("platform"), p.get("id"), p.get("name"))), None)
        if player is None or not player.get("heatmap"):
            continue
        grid = np.asarray(player["heatmap"]["cells"], dtype=float)
        grids.append(grid if player["team"] == "blue" else grid[::-1, ::-1])
        if len(grids) == last:
            break
    shapes = {g.shape for g in grids}
    if not grids or len(shapes) != 1:
        return None
    mean = np.mean(grids, axis=0)
    rows, cols = mean.shape
    return {"y_bins": rows, "x_bins": cols, "axes": ["y", "x"],
            "cells": [[round(float(v), 4) for v in r] for r in mean]}, len(grids)


def facing(heatmap: dict[str, Any], team: str) -> dict[str, Any]:
    """An own-goal-first grid in ``team``'s field coordinates."""
    if team == "blue":
        return heatmap
    cells = np.asarray(heatmap["cells"], dtype=float)[::-1, ::-1]
    return {**heatmap, "cells": cells.tolist()}


def history_for_figures(identity: Identity) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    """A lookup for ``ReportWriter(history=...)``: report -> {the user's key: recent average}.

    Reads the library once, on the first report with an ``is_me`` player, and
    only if a library already exists (writing figures never creates one).
    """
    cached: list[tuple[dict[str, Any], int] | None] = []

    def history(report: dict[str, Any]) -> dict[str, Any] | None:
        me = next((p for p in report["players"] if p.get("is_me")), None)
        if me is None or identity.is_empty or not paths.library_file().exists():
            return None
        if not cached:
            try:
                with open_library() as library:
                    cached.append(my_recent_heatmap(library, identity=identity))
            except RlcoachError:
                cached.append(None)
        found = cached[0]
        return {me["key"]: facing(found[0], me["team"])} if found else None

    return history
