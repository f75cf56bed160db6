"""Figure builders on small hand-made inputs: geometry, data, escaping."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from rlcoach.report.figures import build_figures
from rlcoach.report.figures.boost import boost_figure, zero_stretches
from rlcoach.report.figures.heatmap import own_half_share
from rlcoach.report.figures.kickoffs import spawn_point
from rlcoach.report.figures.pitch import Pitch
from rlcoach.report.figures.shots import shots_figure
from rlcoach.report.figures.svg import num, polyline_segments, viridis

SVG = "{http://www.w3.org/2000/svg}"


def _player(key: str, team: str, name: str | None = None, me: bool = False) -> dict:
    cells = [[0.0] * 2 for _ in range(4)]
    cells[0 if team == "blue" else 3][0] = 0.75  # mostly in front of their own goal
    cells[2][1] = 0.25
    return {"key": key, "name": name or key, "team": team, "is_me": me,
            "heatmap": {"y_bins": 4, "x_bins": 2, "axes": ["y", "x"], "cells": cells}}


def _report(**extra: object) -> dict:
    return {"players": [_player("a", "blue", "<b>A&amp;</b>", me=True), _player("b", "orange")],
            "events": {"goals": [{"time": 3.0, "team": "blue"}],
                       "boost_pickups": [{"time": 2.0, "player": "a", "pad": "big"}],
                       "demolitions": []},
            **extra}


@pytest.mark.parametrize(("share", "colour"), [(0.0, "#440154"), (1.0, "#fde725"),
                                                (-3, "#440154"), (7, "#fde725")])
def test_viridis_ends_and_clips(share: float, colour: str) -> None:
    assert viridis(share) == colour


@pytest.mark.parametrize(("value", "text"), [(1.0, "1"), (1.25, "1.2"), (-0.04, "-0")])
def test_numbers_are_short(value: float, text: str) -> None:
    assert num(value) == text


def test_lines_break_where_data_is_missing() -> None:
    lines = polyline_segments([(0, 0), (1, 1), None, (2, 2), None, (3, 3), (4, 4)])
    assert len(lines) == 2  # the lone point between the gaps draws nothing


@pytest.mark.parametrize(("levels", "runs"), [
    ([5, 0, 0, 7], [(1.0, 3.0)]),
    ([0, 0], [(0.0, 1.0)]),
    ([0, None, 0, 3], [(0.0, 1.0), (2.0, 3.0)]),
    ([1, 2, 3], []),
])
def test_zero_boost_stretches(levels: list, runs: list) -> None:
    assert zero_stretches(levels, [float(i) for i in range(len(levels))]) == runs


@pytest.mark.parametrize(("spawn", "team", "point"), [
    ("diagonal_left", "blue", (-2048.0, -2560.0)),
    ("diagonal_left", "orange", (2048.0, 2560.0)),
    ("off_center_right", "blue", (256.0, -3840.0)),
    ("center", "orange", (0.0, 4608.0)),
    ("unknown", "blue", None),
])
def test_spawn_points_follow_the_analysis_convention(spawn: str, team: str, point) -> None:
    assert spawn_point(spawn, team) == point


def test_pitch_puts_blue_goal_left_unless_flipped() -> None:
    pitch = Pitch(0, 0, 600)
    assert pitch.at(0, -5120)[0] < pitch.at(0, 5120)[0]
    flipped = Pitch(0, 0, 600, flip=True)
    assert flipped.at(0, -5120)[0] > flipped.at(0, 5120)[0]
    assert flipped.at(1000, 0)[1] > flipped.at(-1000, 0)[1]  # half a turn, not a mirror
    assert pitch.height / pitch.width == pytest.approx(8192 / 12000)


def test_own_half_share_uses_the_players_own_goal() -> None:
    assert own_half_share(_player("a", "blue")["heatmap"], "blue") == pytest.approx(0.75)
    assert own_half_share(_player("b", "orange")["heatmap"], "orange") == pytest.approx(1.0)


def test_shot_map_sizes_by_xg_rings_goals_and_escapes_names() -> None:
    shots = [{"time": 1.0, "clock": "4:59", "player": "a", "name": "<b>A&amp;</b>",
              "team": "blue", "position": [0, 4000, 100], "xg": 0.5, "goal": True,
              "model": "prior"},
             {"time": 2.0, "player": "b", "name": "b", "team": "orange",
              "position": [100, -3000, 50], "xg": 0.05, "goal": False, "model": "prior"}]
    svg, alt = shots_figure(_report(coaching={"shots": shots}))
    root = ET.fromstring(svg)  # well-formed despite the name's markup
    circles = root.findall(f"{SVG}circle")
    assert len([c for c in circles if c.get("fill") != "none"]) == 2
    rings = [c for c in circles if c.get("fill") == "none"]
    assert len(rings) == 1 + 1  # the goal's ring and the pitch's centre circle
    assert alt == ("Blue took 1 shot worth 0.5 xG and scored 1; "
                   "Orange took 1 shot worth 0.1 xG and scored 0.")
    assert "<b>" not in svg


def test_shot_map_says_when_the_report_has_no_shot_analysis() -> None:
    _, alt = shots_figure(_report())
    assert "no shot analysis" in alt


def test_boost_strips_follow_the_timeline_with_gaps_and_zero_bands() -> None:
    timeline = {"step": 1.0, "time": [0.0, 1.0, 2.0, 3.0, 4.0], "ball_y": [0] * 5,
                "boost": {"a": [33, 0, 0, None, 100], "b": [50, 50, 50, 50, 50]},
                "clock_ticks": [[0.0, "5:00"]]}
    made = boost_figure(_report(timeline=timeline))
    assert made is not None
    svg, alt = made
    root = ET.fromstring(svg)
    assert len(root.findall(f"{SVG}polyline")) == 2  # a's line breaks at the gap; b is whole
    assert "A&amp;</b> averaged 33 boost with 2 s at zero" in alt.replace("<b>", "")
    assert boost_figure(_report()) is None  # no timeline: no figure


def test_build_figures_leaves_out_what_the_report_lacks() -> None:
    names = [f.name for f in build_figures(_report())]
    assert names == ["shots", "heatmaps"]
