"""The factories' schema check, which checks each distinct part of a report once,
must reject what ``validate_report`` rejects, deep inside a report as at its top."""

from __future__ import annotations

from typing import Any

import pytest

from rlcoach.report.schema import InvalidReportError

from .factories import NOW, make_report, schema_check


def _touch_time(r: dict[str, Any]) -> None:
    r["events"]["touches"][3]["time"] = "soon"


def _player_team(r: dict[str, Any]) -> None:
    r["players"][1]["team"] = "green"


def _timeline_point(r: dict[str, Any]) -> None:
    r["timeline"]["ball_y"][100] = None


def _extra_key(r: dict[str, Any]) -> None:
    r["surprise"] = 1


@pytest.mark.parametrize("spoil", [_touch_time, _player_team, _timeline_point, _extra_key])
def test_schema_check_rejects_what_validate_report_rejects(spoil) -> None:  # type: ignore[no-untyped-def]
    report = make_report(7, date=NOW)  # checked (and its parts remembered) when made
    schema_check(report)
    spoil(report)
    with pytest.raises(InvalidReportError):
        schema_check(report)
