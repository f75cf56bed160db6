"""The user's recent average heatmap, in their own point of view."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np

from rlcoach.config import Identity
from rlcoach.library.heatmaps import facing, history_for_figures, my_recent_heatmap
from rlcoach.library.store import FileInfo, add_report

GOLDEN = Path(__file__).resolve().parents[2] / "goldens" / "post-eac-ranked-duel-2026-04-28-a.json"
ME = Identity(platform_ids=("ps4:Adamboi04",))


def _as_orange(report: dict) -> dict:
    """The same game seen from the other end: the user on orange, grid turned half a turn."""
    other = copy.deepcopy(report)
    other["replay"]["sha256"] = "f" * 64
    other["replay"]["match_guid"] = "another-match"
    for p in other["players"]:
        p["team"] = "orange" if p["team"] == "blue" else "blue"
        p["heatmap"]["cells"] = np.asarray(p["heatmap"]["cells"])[::-1, ::-1].tolist()
    return other


def test_average_is_taken_from_the_users_own_end(library) -> None:
    report = json.loads(GOLDEN.read_text(encoding="utf-8"))
    add_report(library, report, FileInfo("/a.replay", 1, 0.0, report["replay"]["sha256"]))
    add_report(library, _as_orange(report), FileInfo("/b.replay", 1, 1.0, "f" * 64))
    found = my_recent_heatmap(library, identity=ME)
    assert found is not None
    average, games = found
    mine = next(p for p in report["players"] if p["key"] == "ps4:Adamboi04")
    assert games == 2
    assert np.allclose(average["cells"], mine["heatmap"]["cells"], atol=1e-4)
    turned = facing(average, "orange")["cells"]
    assert np.allclose(turned, np.asarray(mine["heatmap"]["cells"])[::-1, ::-1], atol=1e-4)


def test_no_library_no_history(rlcoach_home: Path) -> None:
    report = json.loads(GOLDEN.read_text(encoding="utf-8"))
    report["players"][0]["is_me"] = True
    assert history_for_figures(ME)(report) is None
    assert not any(rlcoach_home.rglob("*.sqlite*"))  # figures never create a library
