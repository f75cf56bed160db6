"""The coach's tools: JSON Schemas the model sees, and the dispatcher that runs them.

``Toolbox(library).definitions()`` is the ``tools`` list of a Messages API call
(stable order and text, so it caches as part of the prompt prefix);
``Toolbox.run(name, input)`` returns ``ToolResult(text, is_error)`` where text
is compact JSON. Errors a user can fix (unknown metric, no such game) come back
as ``{"error": ..., "hint": ...}`` with ``is_error`` so the model can correct
itself; they never raise. Everything is read-only except ``save_note``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rlcoach.coach import facts, moments
from rlcoach.config import Identity
from rlcoach.errors import RlcoachError
from rlcoach.library.db import Library

_FILTERS: dict[str, Any] = {
    "playlist": {"type": "string", "description": "e.g. ranked-doubles, ranked-duel"},
    "result": {"type": "string", "enum": ["win", "loss"]},
    "teammate": {"type": "string", "description": "part of a teammate's name"},
    "since": {"type": "string", "description": "YYYY-MM-DD"},
    "until": {"type": "string", "description": "YYYY-MM-DD"},
}
_LAST = {"type": "integer", "minimum": 1, "maximum": 500,
         "description": "how many of the player's most recent games (default 50, at most "
                        "500; 200 for compare_lobby)"}
_METRICS = {"type": "array", "items": {"type": "string"}, "maxItems": 8,
            "description": "registry names like boost.bpm, movement.avg_speed, core.goals"}
_GAME = {"type": ["integer", "string"], "description": "library game id, or \"latest\""}


def _schema(props: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(required)}


SPECS: list[dict[str, Any]] = [
    {"name": "find_games", "description": "List the player's games (newest first) with "
     "result, score, teammates and a few stats. Filters like `rlcoach games`.",
     "input_schema": _schema({**_FILTERS, "text": {"type": "string", "description":
                              "text in the map, playlist or a player's name"},
                              "last": {"type": "integer", "minimum": 1, "maximum": 50},
                              "sort": {"type": "string", "description": "date or a metric"}})},
    {"name": "game_summary", "description": "One game: result, players and their key stats, "
     "goals and demolitions with times, the player's stats that stood out against their "
     "recent games, and which coaching analyses exist for it.",
     "input_schema": _schema({"game": _GAME}, ("game",))},
    {"name": "game_events", "description": "Events of one game of one kind, each with time "
     "and game clock: goals, demolitions, kickoffs, touches, boost_pickups, or (when "
     "analysed) fifty_fifties, shots, mechanics, goals_conceded, passes, "
     "turnovers, dribbles.",
     "input_schema": _schema({"game": _GAME, "kind": {"type": "string"},
                              "player": {"type": "string"}}, ("game", "kind"))},
    {"name": "metric_summary", "description": "The player's n, mean, sd, min, max, median "
     "of metrics over their last games.",
     "input_schema": _schema({"metrics": _METRICS, "last": _LAST, **_FILTERS}, ("metrics",))},
    {"name": "metric_trend", "description": "How metrics move over the last games: first "
     "vs second half means, rolling average, the last 10 values with game ids.",
     "input_schema": _schema({"metrics": _METRICS, "last": _LAST, "window": {
         "type": "integer", "minimum": 1, "maximum": 50}, **_FILTERS}, ("metrics",))},
    {"name": "win_loss_split", "description": "Metrics in the player's wins vs losses "
     "(n, mean, spread each) and the difference.",
     "input_schema": _schema({"metrics": _METRICS, "last": _LAST, **_FILTERS}, ("metrics",))},
    {"name": "compare_lobby", "description": "The player's means beside their teammates', "
     "opponents' and whole lobby's over the same games.",
     "input_schema": _schema({"metrics": _METRICS, "last": _LAST, **_FILTERS})},
    {"name": "compare_ranks", "description": "The player's means beside ballchasing's "
     "per-rank population means (old, pooled, means only: always state the caveat).",
     "input_schema": _schema({"metrics": _METRICS, "last": _LAST, **_FILTERS})},
    {"name": "moment", "description": "What is known at one time of one game: score, last "
     "touch, events within 5 s. Give time (seconds) or clock (m:ss).",
     "input_schema": _schema({"game": _GAME, "time": {"type": "number"},
                              "clock": {"type": "string"}}, ("game",))},
    {"name": "metric_definitions", "description": "What stats mean (from the metric "
     "registry): by names, or by a search word; no arguments lists them.",
     "input_schema": _schema({"metrics": _METRICS, "search": {"type": "string"}})},
    {"name": "read_notes", "description": "The coach notes saved in earlier conversations "
     "(the player's goals and observations), newest first.",
     "input_schema": _schema({"kind": {"type": "string", "enum": ["goal", "observation"]},
                              "limit": {"type": "integer", "minimum": 1, "maximum": 50}})},
    {"name": "save_note", "description": "Save a short goal or observation for later "
     "conversations. Only when the player agrees or asks.",
     "input_schema": _schema({"kind": {"type": "string", "enum": ["goal", "observation"]},
                              "text": {"type": "string", "maxLength": 2000},
                              "game": {"type": "integer"}}, ("kind", "text"))},
]


@dataclass(frozen=True)
class ToolResult:
    name: str
    input: dict[str, Any]
    text: str  # compact JSON
    is_error: bool = False
    ms: float = 0.0


class Toolbox:
    """The tools over one library (and the identity that says who "me" is)."""

    def __init__(self, library: Library, identity: Identity | None = None) -> None:
        self.library = library
        self.identity = identity
        lib, ident = library, identity
        self._impl: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "find_games": lambda a: facts.find_games(lib, a, ident),
            "game_summary": lambda a: facts.game_summary(lib, a, ident),
            "game_events": lambda a: facts.game_events(lib, a, ident),
            "metric_summary": lambda a: facts.metric_summary(lib, a, ident),
            "metric_trend": lambda a: facts.metric_trend(lib, a, ident),
            "win_loss_split": lambda a: facts.win_loss_split(lib, a, ident),
            "compare_lobby": lambda a: facts.compare_lobby(lib, a, ident),
            "compare_ranks": lambda a: moments.compare_ranks(lib, a, ident),
            "moment": lambda a: moments.moment(lib, a, ident),
            "metric_definitions": facts.metric_definitions,
            "read_notes": lambda a: moments.read_notes(lib, a),
            "save_note": lambda a: moments.save_note(lib, a),
        }

    @staticmethod
    def definitions() -> list[dict[str, Any]]:
        return [dict(spec) for spec in SPECS]

    def run(self, name: str, args: dict[str, Any] | None) -> ToolResult:
        args = dict(args or {})
        start = time.perf_counter()
        impl = self._impl.get(name)
        try:
            if impl is None:
                raise RlcoachError(f"no tool named {name!r}")
            payload, is_error = impl(args), False
        except RlcoachError as exc:
            payload, is_error = {"error": exc.message, "hint": exc.hint}, True
        except (TypeError, ValueError, KeyError) as exc:  # malformed arguments from the model
            payload, is_error = {"error": f"bad arguments for {name}: {exc}"}, True
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str)
        return ToolResult(name, args, text, is_error, (time.perf_counter() - start) * 1000)
