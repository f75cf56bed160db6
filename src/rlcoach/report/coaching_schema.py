"""JSON Schema of ``report["coaching"]`` (issue 10), optional since 1.2.

Each analysis in ``rlcoach.analysis.coaching`` owns one or more keys here;
add yours beside the others. Event times are seconds since the recording
started; ``clock`` is the game clock the player saw (null until filled).
"""

from __future__ import annotations

from typing import Any

_NUM = {"type": "number"}
_INT = {"type": "integer"}
_STR = {"type": "string"}
_BOOL = {"type": "boolean"}
_STR_OR_NULL = {"type": ["string", "null"]}
_TEAM_OR_NULL = {"enum": ["blue", "orange", None]}
_TEAM = {"enum": ["blue", "orange"]}
_CONFIDENCE = {"type": "number", "minimum": 0, "maximum": 1,
               "description": "Heuristic confidence in [0, 1]; not a probability."}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": props,
            "required": list(props) if required is None else required,
            "additionalProperties": False}


def _arr(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


_MOMENT = {"time": _NUM, "clock": _STR_OR_NULL}
_WHO = {"player": _STR_OR_NULL, "name": _STR_OR_NULL}
_SPAWN = {"enum": ["diagonal_left", "diagonal_right", "off_center_left", "off_center_right",
                   "center", "unknown"]}
_APPROACH = {"enum": ["fake", "boost_into_ball", "speed_flip", "front_flip", "diagonal_flip",
                      "flip", "go_for_boost", "cheat", "other"]}
_SPAWN_COUNTS = _obj({k: _INT for k in ("taken", "won", "lost", "neutral")})


def kickoffs_schema() -> dict[str, Any]:
    player = _obj({**_WHO, "team": _TEAM, "spawn": _SPAWN, "role": {"enum": ["taker", "support"]},
                   "approach": _APPROACH, "first_touch": _BOOL, "boost_used": _NUM})
    return _arr(_obj({
        **_MOMENT, "index": _INT, "players": _arr(player),
        "outcome": _obj({"winner_team": _TEAM_OR_NULL,
                         "result": {"enum": ["won", "lost", "neutral"],
                                    "description": "From blue's (team 0's) point of view."},
                         "possession_after": _TEAM_OR_NULL, "goal_within_5s": _BOOL}),
        "confidence": _CONFIDENCE,
    }))


def fifty_fifties_schema() -> dict[str, Any]:
    player = _obj({**_WHO, "team": _TEAM})
    return _arr(_obj({**_MOMENT, "players": _arr(player), "winner_team": _TEAM_OR_NULL,
                      "kickoff": _BOOL}))


def shots_schema() -> dict[str, Any]:
    vec = {"type": "array", "items": _NUM, "minItems": 3, "maxItems": 3}
    base = {
        **_MOMENT, **_WHO, "team": _TEAM, "position": vec, "speed": _NUM, "angle_deg": _NUM,
        "distance": _NUM, "xg": {"type": "number", "minimum": 0, "maximum": 1},
        "on_target": _BOOL, "goal": _BOOL, "model": _STR,
    }
    # Since physical-prior-v2 (optional: older reports lack them).
    added = {
        "flight": {"enum": ["on_target", "wide", "none"],
                   "description": "The ball's projected flight after the touch: into the "
                                  "mouth, wide (within 300 uu), or none (a goal it did not "
                                  "predict)."},
        "margin_s": {"type": "number", "description": "Nearest defender's time to the "
                                                      "crossing point minus the ball's (s)."},
        "conceded_by": {**_STR_OR_NULL, "description": "Defending player whose touch was "
                                                       "their team's last, within 5 s."},
    }
    return _arr(_obj({**base, **added}, required=list(base)))


def possession_schema() -> dict[str, Any]:
    who = _obj(_WHO)
    return _obj({
        "spans": _arr(_obj({**_MOMENT, "team": _TEAM, "touches": _INT, "end": _NUM})),
        "passes": _arr(_obj({**_MOMENT, "passer": who, "receiver": who, "team": _TEAM,
                             "travel": _NUM})),
        "turnovers": _arr(_obj({**_MOMENT, **_WHO, "team": _TEAM, "to": _STR_OR_NULL})),
        "dribbles": _arr(_obj({**_MOMENT, **_WHO, "touches": _INT, "duration": _NUM})),
    })


def mechanics_schema() -> dict[str, Any]:
    kinds = ["speed_flip", "wavedash", "half_flip", "flip_reset", "ceiling_shot",
             "air_dribble", "double_tap", "flick"]
    return _arr(_obj({**_MOMENT, **_WHO, "kind": {"enum": kinds}, "confidence": _CONFIDENCE}))


def _events(props: dict[str, Any]) -> dict[str, Any]:
    return _arr(_obj({**_MOMENT, **props}))


def rotation_schema() -> dict[str, Any]:
    return _obj({
        "double_commits": _events({"players": _arr(_STR), "confidence": _CONFIDENCE}),
        "overcommits": _events({"player": _STR, "lost_to": _STR, "confidence": _CONFIDENCE}),
        "first_man_takeovers": _events({"player": _STR}),
    })


def goals_conceded_schema() -> dict[str, Any]:
    defender = _obj({"player": _STR, "boost": _INT, "ahead_of_ball": _BOOL, "goal_side": _BOOL})
    return _arr(_obj({
        **_MOMENT, "shot_time": _NUM, "team": _TEAM, "scorer": _STR_OR_NULL,
        "last_back": _STR_OR_NULL, "caught_ahead": _BOOL, "defenders": _arr(defender),
        "touch_chain": _events({"player": _STR}),
    }))


def boost_management_schema() -> dict[str, Any]:
    big = _obj({"taken": _INT, "stolen": _INT})
    return _obj({
        "starved": _events({"player": _STR, "seconds": _NUM}),
        "big_pads": _obj({"blue": big, "orange": big}),
    })


def coaching_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Coaching analyses (since 1.2). Absent from older reports.",
        "properties": {
            "kickoffs": kickoffs_schema(),
            "kickoff_spawns": {
                "type": "object",
                "description": "Per player key: taken kickoffs by spawn position.",
                "additionalProperties": {"type": "object", "additionalProperties": _SPAWN_COUNTS},
            },
            "fifty_fifties": fifty_fifties_schema(),
            "shots": shots_schema(),
            "possession": possession_schema(),
            "mechanics": mechanics_schema(),
            "rotation": rotation_schema(),
            "goals_conceded": goals_conceded_schema(),
            "boost_management": boost_management_schema(),
        },
        "additionalProperties": False,
    }


def insights_schema() -> dict[str, Any]:
    """``report["insights"]`` (1.6+): ranked findings, see ``rlcoach.report.insights``."""
    baseline = _obj({"kind": {"enum": ["lobby", "history", "rank"]}, "value": _NUM,
                     "spread": {"type": ["number", "null"]}, "n": _INT, "source": _STR})
    return {**_arr(_obj({
        "id": _STR, "player": _STR, "name": _STR, "claim": _STR, "metric": _STR,
        "value": _NUM, "baseline": baseline, "baselines": _arr(baseline), "effect": _NUM,
        "n_games": _INT, "moments": _arr(_obj({**_MOMENT, "what": _STR})), "practice": _STR,
        "severity": {"enum": ["high", "medium", "low"]},
    })), "description": "Findings, best first (absent on reports before 1.6)."}
