"""Pure pieces: resampling, shading, rolling means, heatmap orientation, ranks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlcoach.report.registry import BY_QUALIFIED
from rlcoach.tui.heatmaps import to_screen_grid
from rlcoach.tui.ranks import load_rank_means
from rlcoach.tui.widgets.chart import bucket, rolling_mean
from rlcoach.tui.widgets.heatmap import SHADES, resample, shade

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT.parent / "shared" / "benchmarks" / "ballchasing-rank-means.json"


def test_resample_down_keeps_the_mean_and_up_repeats() -> None:
    grid = [[1.0, 3.0], [5.0, 7.0]]
    assert resample(grid, 1, 1) == [[4.0]]
    assert resample(grid, 4, 4)[0] == [1.0, 1.0, 3.0, 3.0]
    assert resample(grid, 4, 4)[3] == [5.0, 5.0, 7.0, 7.0]
    assert resample([], 2, 3) == [[0.0] * 3, [0.0] * 3]


def test_shade_scale() -> None:
    assert shade(0.0, 1.0) == " "
    assert shade(1e-6, 1.0) == SHADES[1]  # any time at all is visible
    assert shade(1.0, 1.0) == SHADES[-1]
    assert shade(0.5, 0.0) == " "


def test_rolling_mean_and_buckets() -> None:
    assert rolling_mean([2, 4, 6, 8], 2) == [2, 3, 5, 7]
    assert rolling_mean([1, 2, 3], 10) == [1, 1.5, 2]
    runs = bucket(2000, 70)
    assert len(runs) == 70 and sum(len(r) for r in runs) == 2000
    assert runs[0].start == 0 and runs[-1].stop == 2000
    assert bucket(5, 70) == [range(i, i + 1) for i in range(5)]


def test_heatmap_is_turned_so_the_length_runs_across() -> None:
    # cells[i][j]: i along the length (blue goal first), j across the width.
    cells = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
    screen = to_screen_grid({"cells": cells})
    assert len(screen) == 2 and len(screen[0]) == 3  # rows = width, columns = length
    assert screen[0] == [0.1, 0.3, 0.5]


def test_rank_means_name_registry_metrics_and_carry_their_limits() -> None:
    ranks = load_rank_means()
    assert ranks.stats and all(q in BY_QUALIFIED for q in ranks.stats)
    for phrase in ("means only", "pooled", "2023"):
        assert phrase in ranks.caveat or any(phrase in lim for lim in ranks.limits)
    bpm = ranks.stats["boost.bpm"]
    assert set(bpm.means) == {1, 4, 7, 10, 13, 16, 19, 999}
    assert ranks.nearest_tier("boost.bpm", bpm.means[10] + 1) == 10
    assert ranks.nearest_tier("boost.bpm", 10_000) == 19  # pros are not a ladder rank
    assert ranks.nearest_tier("core.mvp", 1.0) is None


@pytest.mark.skipif(not SOURCE.exists(), reason="needs ../shared/benchmarks")
def test_committed_rank_file_is_what_the_script_generates() -> None:
    import importlib.util

    script = ROOT / "scripts" / "gen_rank_benchmarks.py"
    spec = importlib.util.spec_from_file_location("gen", script)
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    generated = gen.generate(json.loads(SOURCE.read_text()))
    committed = json.loads((ROOT / "src/rlcoach/tui/data/rank_means.json").read_text())
    assert generated == committed
    assert committed["unmapped"] == ["bcolpm", "percent_powerslide", "powerslidepm"]


def test_heatmap_axis_rules() -> None:
    wide = [[1.0, 2.0, 3.0, 4.0]]  # 1 x 4: the longer axis is the length
    assert to_screen_grid({"grid": wide}) == [[1.0, 2.0, 3.0, 4.0]]
    assert to_screen_grid({"cells": wide, "axes": ["y", "x"]}) == [[1.0], [2.0], [3.0], [4.0]]
    flat = {"shares": [1, 2, 3, 4, 5, 6], "x_bins": 2, "y_bins": 3}  # rows of x per y
    assert to_screen_grid(flat) == [[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]
    with pytest.raises(KeyError):
        to_screen_grid({"nothing": []})


def test_timeline_from_report_names_teams_and_spans_every_event() -> None:
    from rlcoach.tui.widgets.timeline import from_report

    report = {
        "replay": {"duration": 300.0},
        "players": [{"key": "a", "name": "Ann", "team": "blue", "end_time": 310.0},
                    {"key": "b", "name": "Bo", "team": "orange", "end_time": 310.0}],
        "events": {
            "goals": [{"time": 320.5, "team": "orange", "scorer": "b", "assister": None}],
            "demolitions": [{"time": 50.0, "attacker": None, "victim": "a"}],
            "kickoffs": [{"time": 5.0, "first_touch": "a", "goal_within_5s": False},
                         {"time": 100.0, "first_touch": None, "first_touch_team": "orange"}],
        },
    }
    span, lanes, rows = from_report(report, "blue")
    assert span == 320.5  # a goal after ``duration`` still fits on the axis
    assert [(r.kind, r.team) for r in rows] == [
        ("kickoff", "blue"), ("demo", None), ("kickoff", "orange"), ("goal", "orange")]
    assert rows[1].detail == "unknown demolished Ann"
    assert rows[2].detail == "first touch nobody"
    assert rows[3].title == "Goal against" and rows[3].mine is False
    assert [(lane.label, len(lane.marks)) for lane in lanes] == [
        ("Goals", 1), ("Kickoffs", 2), ("Demos", 1)]


def test_timeline_lists_goals_it_cannot_place_instead_of_dropping_them() -> None:
    from rlcoach.tui.widgets.timeline import from_report

    report = {"events": {"goals": [{"time": None, "team": "blue"}, {"team": "blue"},
                                   {"time": 12.0, "team": "blue"}]}}
    span, lanes, rows = from_report(report)
    assert [r.time for r in rows] == [12.0, None, None] and span == 12.0
    assert len(lanes[0].marks) == 1  # only the placed one is drawn
    assert all("not placed" in r.detail for r in rows[1:])
