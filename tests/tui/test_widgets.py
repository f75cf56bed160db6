"""Pure pieces: resampling, shading, rolling means, heatmap orientation, ranks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from rlcoach.library.queries import TrendPoint
from rlcoach.report.registry import BY_QUALIFIED
from rlcoach.tui.heatmaps import own_goal_left, to_screen_grid
from rlcoach.tui.ranks import load_rank_means
from rlcoach.tui.widgets.braille import Canvas
from rlcoach.tui.widgets.chart import bucket, rolling_mean, session_index
from rlcoach.tui.widgets.heatmap import VIRIDIS, percentiles, resample, viridis

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT.parent / "shared" / "benchmarks" / "ballchasing-rank-means.json"


def test_resample_down_keeps_the_mean_and_up_repeats() -> None:
    grid = [[1.0, 3.0], [5.0, 7.0]]
    assert resample(grid, 1, 1) == [[4.0]]
    assert resample(grid, 4, 4)[0] == [1.0, 1.0, 3.0, 3.0]
    assert resample(grid, 4, 4)[3] == [5.0, 5.0, 7.0, 7.0]
    assert resample([], 2, 3) == [[0.0] * 3, [0.0] * 3]


def test_viridis_ends_and_percentile_scaling() -> None:
    assert viridis(0.0) == "#{:02x}{:02x}{:02x}".format(*VIRIDIS[0])
    assert viridis(1.0) == "#{:02x}{:02x}{:02x}".format(*VIRIDIS[-1])
    assert viridis(2.0) == viridis(1.0)
    # Lightness rises along the scale (it reads in greyscale too).
    lum = [0.2126 * r + 0.7152 * g + 0.0722 * b for r, g, b in VIRIDIS]
    assert lum == sorted(lum)
    # One hot cell does not wash out the rest: ranks, not values, pick colours.
    ranks = percentiles([[0.0, 0.01, 0.02], [0.03, 0.9, 0.02]])
    assert ranks[0][0] is None  # never there is blank, not "a little"
    assert ranks[1][1] == 1.0 and ranks[0][1] == 0.2
    assert ranks[0][2] == ranks[1][2] == 0.6  # ties share their highest rank


def test_own_goal_left_is_half_a_turn() -> None:
    grid = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert own_goal_left(grid) == [[6.0, 5.0, 4.0], [3.0, 2.0, 1.0]]
    assert own_goal_left(own_goal_left(grid)) == grid


def test_braille_canvas_dots_and_lines() -> None:
    c = Canvas(2, 1)  # 4 x 4 dots
    c.dot(0, 0, "a")
    c.dot(1, 3, "b", priority=1)
    assert c.cell(0, 0) == (chr(0x2800 + 0x01 + 0x80), "b")  # higher priority wins the cell
    assert c.cell(0, 1) == (" ", "")
    c.line(0, 3, 3, 0, "c", priority=2)  # a diagonal touches every column
    assert all(c.cell(0, col)[0] != " " for col in range(2))
    c.dot(99, 99, "off")  # outside: ignored, not an IndexError


def test_sessions_split_after_the_gap_from_a_game_s_end() -> None:
    start = datetime(2026, 3, 1, 20, 0)

    def game(minutes: float, duration: float = 300.0) -> TrendPoint:
        return TrendPoint(0, start + timedelta(minutes=minutes), 1.0, 1.0, "win", duration)

    # Ends at 5, 40 and 74 min; the next starts 10, 29 and 57 min later.
    points = [game(0), game(15, 1500), game(69), game(131)]
    assert session_index(points, 30) == [0, 0, 0, 1]
    assert session_index(points, 11) == [0, 0, 1, 2]


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


def test_timeline_lists_mechanics_with_their_heuristic_confidence() -> None:
    from rlcoach.tui.widgets.timeline import from_report

    report = {
        "players": [{"key": "a", "name": "Ann", "team": "blue", "end_time": 300.0}],
        "coaching": {"mechanics": [
            {"time": 12.1, "clock": "4:50", "player": "a", "kind": "speed_flip",
             "confidence": 0.64},
            {"time": 80.0, "clock": "3:40", "player": "a", "kind": "flip_reset"}]},
    }
    _span, lanes, rows = from_report(report, "blue")
    assert [(r.kind, r.title, r.clock, r.mine) for r in rows] == [
        ("mech", "Speed flip", "4:50", True), ("mech", "Flip reset", "3:40", True)]
    assert rows[0].detail == "Ann; confidence 0.64 (a heuristic score)"
    assert rows[1].detail == "Ann"  # no confidence: none invented
    assert ("Mechanics", 2) in [(lane.label, len(lane.marks)) for lane in lanes]


@pytest.mark.parametrize(("width", "playlist", "map_"), [
    (60, 11, 13), (80, 11, 13), (110, 21, 33), (200, 51, 93)])
def test_games_table_text_widths_grow_with_the_terminal(width: int, playlist: int,
                                                         map_: int) -> None:
    from rlcoach.tui.widgets.tables import text_widths
    assert text_widths(width) == (playlist, map_)


@pytest.mark.parametrize(("text", "width", "shown"), [
    ("Champions Field", 15, "Champions Field"), ("Champions Field", 13, "Champions Fi…"),
    ("Ranked Doubles", 5, "Rank…"), ("", 3, "")])
def test_clip_marks_the_cut(text: str, width: int, shown: str) -> None:
    from rlcoach.tui.format import clip
    assert clip(text, width) == shown
