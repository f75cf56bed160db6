"""The per-player position grid in reports."""

from __future__ import annotations

import numpy as np


def test_heatmap_is_time_shares_on_fixed_axes(corpus_reports) -> None:
    report = corpus_reports["recent-ranked-doubles-2026-03-10"]
    for player in report["players"]:
        h = player["heatmap"]
        cells = np.array(h["cells"])
        assert cells.shape == (h["y_bins"], h["x_bins"]) and h["axes"] == ["y", "x"]
        assert abs(cells.sum() - 1) < 0.01 and (cells >= 0).all()
        own_half = cells[: h["y_bins"] // 2].sum()
        # Everyone spends more time in their own half over a whole match.
        assert (own_half > 0.5) if player["team"] == "blue" else (own_half < 0.5)
