"""Report v1's JSON Schema: built from the metric registry, shipped as a file.

``build_schema()`` derives the stats part from the registry, so a metric
added there appears in the schema (and a test fails until the shipped file
``report-v1.schema.json`` is regenerated with ``python -m
rlcoach.report.schema``). Reports are validated against the shipped file.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from rlcoach.errors import RlcoachError
from rlcoach.report.coaching_schema import coaching_schema, insights_schema
from rlcoach.report.registry import (
    ALL_GROUPS,
    GROUPS,
    TEAM_BALL_METRICS,
    TEAM_SUMMED_KEYS,
    Metric,
    metrics_in,
)

SCHEMA_FILE = "report-v1.schema.json"
_NUM = {"type": "number"}
_INT = {"type": "integer"}
_STR_OR_NULL = {"type": ["string", "null"]}
_NUM_OR_NULL = {"type": ["number", "null"]}
_INT_OR_NULL = {"type": ["integer", "null"]}
_TEAM = {"enum": ["blue", "orange"]}
_CLOCK = {"type": ["string", "null"], "pattern": r"^\+?\d+:\d\d$",
          "description": "The in-game clock a player saw (since 1.1): '4:37' counting "
                         "down, '+0:42' in overtime; null when the replay lacks it."}
_OPTIONAL = frozenset({"clock", "end_clock"})


def _metric_schema(m: Metric) -> dict[str, Any]:
    if m.unit == "bool":
        kind: dict[str, Any] = {"type": "boolean"}
    else:
        kind = dict(_INT if m.integer else _NUM)
    return {**kind, "description": f"{m.definition} Unit: {m.unit}. Better: {m.direction}."}


def _group(metrics: tuple[Metric, ...] | list[Metric]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {m.key: _metric_schema(m) for m in metrics},
        "required": [m.key for m in metrics],
        "additionalProperties": False,
    }


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    if required is None:  # optional fields were added after 1.0: older reports lack them
        required = [k for k in props if k not in _OPTIONAL]
    return {"type": "object", "properties": props,
            "required": required,
            "additionalProperties": False}


def build_schema() -> dict[str, Any]:
    from rlcoach.report.registry import BY_QUALIFIED

    # Groups added in 1.x (coaching) are optional: older reports lack them.
    player_stats = _obj({g: _group(metrics_in(g)) for g in ALL_GROUPS}, required=list(GROUPS))
    team_groups: dict[str, list[Metric]] = {}
    for q in TEAM_SUMMED_KEYS:
        m = BY_QUALIFIED[q]
        team_groups.setdefault(m.group, []).append(m)
    for key in ("shots_against", "goals_against", "shooting_percentage"):
        team_groups["core"].append(BY_QUALIFIED[f"core.{key}"])
    team_stats = _obj({
        "ball": _group(TEAM_BALL_METRICS),
        **{g: _group(ms) for g, ms in team_groups.items()},
    })
    key_or_null = _STR_OR_NULL
    event = {"time": _NUM_OR_NULL, "clock": _CLOCK, "frame": _INT_OR_NULL}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://rlcoach.invalid/schemas/report-v1.json",
        "title": "rlcoach report v1",
        "description": "One analyzed Rocket League replay. Per-player stats use "
                       "ballchasing.com's groups, field names and units.",
        "type": "object",
        "required": ["schema_version", "generator", "replay", "teams", "players", "events",
                     "quality"],
        "additionalProperties": False,
        "properties": {
            "schema_version": {"type": "string", "pattern": r"^1\.\d+$"},
            "generator": _obj({
                "name": {"const": "rlcoach"}, "version": {"type": "string"},
                "engine": _obj({"name": {"type": "string"}, "version": {"type": "string"}}),
            }),
            "replay": _obj({
                "file_name": {"type": "string"}, "file_size": _INT,
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "replay_id": _STR_OR_NULL, "match_guid": _STR_OR_NULL,
                "date": {"type": ["string", "null"], "description": "Header date, local time."},
                "title": _STR_OR_NULL, "playlist": {"type": "string"},
                "playlist_name": _STR_OR_NULL, "match_type": _STR_OR_NULL,
                "map_code": _STR_OR_NULL, "map_name": _STR_OR_NULL, "team_size": _INT_OR_NULL,
                "duration": _NUM, "seconds_played": _NUM_OR_NULL,
                "overtime": {"type": "boolean"}, "forfeit": {"type": "boolean"},
                "end_clock": _CLOCK,
                "score": _obj({"blue": _INT, "orange": _INT}),
                "winner": {"enum": ["blue", "orange", None]},
                "frame_count": _INT_OR_NULL, "record_fps": _NUM_OR_NULL,
                "sample_rate": _NUM_OR_NULL, "frames_source": {"enum": ["ndarray", "frames"]},
                "replay_version": _STR_OR_NULL, "network_version": _INT_OR_NULL,
                "build_version": _STR_OR_NULL,
            }),
            "teams": _obj({
                t: _obj({"score": _INT, "stats": team_stats}) for t in ("blue", "orange")
            }),
            "players": {"type": "array", "items": _obj({
                "key": {"type": "string"}, "name": {"type": "string"},
                "platform": {"enum": ["steam", "epic", "ps4", "xbox", "switch", None]},
                "id": _STR_OR_NULL, "team": _TEAM, "is_me": {"type": "boolean"},
                "is_bot": {"type": "boolean"},
                "car": _obj({"id": _INT_OR_NULL, "name": _STR_OR_NULL}),
                "camera": {"type": "object", "additionalProperties": _NUM},
                "start_time": _NUM_OR_NULL, "end_time": _NUM_OR_NULL,
                "heatmap": _obj({
                    "y_bins": _INT, "x_bins": _INT,
                    "axes": {"const": ["y", "x"]},
                    "cells": {"type": "array", "items": {"type": "array", "items": _NUM}},
                }),
                "stats": player_stats,
            }, required=["key", "name", "platform", "id", "team", "is_me", "is_bot", "car",
                         "camera", "heatmap", "start_time", "end_time", "stats"])},
            "events": _obj({
                "goals": {"type": "array", "items": _obj({
                    **event, "header_frame": _INT_OR_NULL, "team": {"enum": ["blue", "orange",
                                                                            None]},
                    "scorer": key_or_null, "assister": key_or_null, "ball_speed": _NUM_OR_NULL})},
                "demolitions": {"type": "array", "items": _obj({
                    **event, "attacker": key_or_null, "victim": {"type": "string"}})},
                "boost_pickups": {"type": "array", "items": _obj({
                    **event, "player": {"type": "string"}, "pad": {"enum": ["big", "small"]},
                    "stolen": {"type": "boolean"}, "amount": _NUM})},
                "touches": {"type": "array", "items": _obj({
                    **event, "player": {"type": "string"}, "team": _TEAM,
                    "ball_speed": _NUM})},
                "kickoffs": {"type": "array", "items": _obj({
                    **event, "first_touch": key_or_null,
                    "first_touch_team": {"enum": ["blue", "orange", None]},
                    "goal_within_5s": {"type": "boolean"}})},
            }),
            "coaching": coaching_schema(),
            "timeline": _obj({
                "step": _NUM, "time": {"type": "array", "items": _NUM},
                "ball_y": {"type": "array", "items": _INT},
                "boost": {"type": "object", "additionalProperties": {
                    "type": "array", "items": _INT_OR_NULL}},
                "clock_ticks": {"type": "array", "items": {
                    "type": "array", "prefixItems": [_NUM, {"type": "string"}],
                    "minItems": 2, "maxItems": 2}},
            }),
            "insights": insights_schema(),
            "quality": _obj({
                "degraded": {"type": "boolean"},
                "warnings": {"type": "array", "items": _obj({
                    "code": {"type": "string"}, "message": {"type": "string"}})},
                "player_coverage": {"type": "object", "additionalProperties": _NUM},
            }),
        },
    }


@cache
def shipped_schema() -> dict[str, Any]:
    text = resources.files("rlcoach.report").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(shipped_schema())


class InvalidReportError(RlcoachError):
    """A report does not match the schema: a bug in rlcoach, not in the replay."""


def validate_report(report: dict[str, Any]) -> None:
    error = next(iter(_validator().iter_errors(report)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise InvalidReportError(f"report does not match schema v1 at {where}: {error.message}")


if __name__ == "__main__":
    print(json.dumps(build_schema(), indent=2))
