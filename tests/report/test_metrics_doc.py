"""docs/metrics.md is generated from the registry; definitions follow the code's constants."""

from __future__ import annotations

import pytest
from tests.conftest import ROOT

from rlcoach.analysis import field, movement
from rlcoach.analysis.boost import EMPTY_LEVEL, FULL_LEVEL
from rlcoach.report.metrics_doc import render_metrics_doc
from rlcoach.report.registry import BY_QUALIFIED


def test_metrics_doc_is_current() -> None:
    committed = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert committed == render_metrics_doc(), "stale: run `make docs` and commit docs/metrics.md"


@pytest.mark.parametrize(("qualified", "text"), [
    ("movement.time_supersonic_speed", f"{field.SUPERSONIC_SPEED:g} uu/s"),
    ("movement.time_boost_speed", f"{field.BOOST_SPEED:g} uu/s"),
    ("movement.time_slow_speed", f"{field.BOOST_SPEED:g} uu/s"),
    ("movement.percent_slow_speed", f"{field.BOOST_SPEED:g} uu/s"),
    ("movement.time_ground", f"z = {movement.GROUND_Z:g} uu"),
    ("movement.time_high_air", f"z = {movement.HIGH_AIR_Z:g} uu"),
    ("movement.time_low_air", f"z = {movement.HIGH_AIR_Z:g} uu"),
    ("movement.avg_speed_percentage", f"{field.MAX_CAR_SPEED:g} uu/s"),
    ("boost.time_zero_boost", f"{EMPTY_LEVEL:.2f}"),
    ("boost.time_full_boost", f"{FULL_LEVEL:.2f}"),
    ("boost.bpm", "used"),
    ("boost.percent_zero_boost", "per goal and per clock expiry"),
])
def test_definitions_quote_the_constants_the_code_uses(qualified: str, text: str) -> None:
    assert text in BY_QUALIFIED[qualified].definition


@pytest.mark.parametrize(("qualified", "wrong"), [
    ("boost.bpm", "collected"), ("movement.time_ground", "walls or ceiling count as ground"),
    ("movement.time_high_air", "above the crossbar"), ("movement.time_boost_speed", "1400"),
])
def test_drifted_wording_is_gone(qualified: str, wrong: str) -> None:
    assert wrong not in BY_QUALIFIED[qualified].definition.split("(")[0]
