"""Moments to rewatch, per insight rule: the events behind a finding.

Each function takes a report and a player key and returns that player's
moments (``time``, ``clock``, ``what``), the most telling first; the rule
keeps the first few. Pure: reads ``report["coaching"]`` and ``events``.
"""

from __future__ import annotations

from typing import Any

Moment = dict[str, Any]
Report = dict[str, Any]
LOW_XG = 0.1  # as analysis.coaching.shots.LOW_XG (the report layer reads reports, not analyses)


def _coaching(report: Report, *path: str) -> list[dict[str, Any]]:
    node: Any = report.get("coaching") or {}
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, list) else []


def _moment(event: dict[str, Any], what: str) -> Moment:
    return {"time": event["time"], "clock": event.get("clock"), "what": what}


def _names(report: Report) -> dict[str, str]:
    return {p["key"]: p["name"] for p in report.get("players", [])}


def _team_of(report: Report, key: str) -> str | None:
    return next((p["team"] for p in report.get("players", []) if p["key"] == key), None)


def kickoffs_lost(report: Report, key: str) -> list[Moment]:
    team = _team_of(report, key)
    out = []
    for k in _coaching(report, "kickoffs"):
        mine = next((p for p in k.get("players", []) if p.get("player") == key), None)
        if mine is None or mine.get("role") != "taker":
            continue
        winner = (k.get("outcome") or {}).get("winner_team")
        if winner is not None and winner != team:
            out.append(_moment(k, f"kickoff lost from {mine.get('spawn', '?').replace('_', ' ')} "
                                  f"({mine.get('approach', '?').replace('_', ' ')})"))
    return out


def double_commits(report: Report, key: str) -> list[Moment]:
    names = _names(report)
    return [_moment(e, "double commit with " + ", ".join(
        names.get(k, "?") for k in e["players"] if k != key))
        for e in _coaching(report, "rotation", "double_commits") if key in e["players"]]


def overcommits(report: Report, key: str) -> list[Moment]:
    names = _names(report)
    return [_moment(e, f"challenged as last back, beaten by {names.get(e['lost_to'], '?')}")
            for e in _coaching(report, "rotation", "overcommits") if e["player"] == key]


def caught_ahead(report: Report, key: str) -> list[Moment]:
    names = _names(report)
    out = []
    for g in _coaching(report, "goals_conceded"):
        mine = next((d for d in g["defenders"] if d["player"] == key), None)
        if mine is not None and not mine["goal_side"]:
            out.append(_moment(g, f"goal by {names.get(g.get('scorer') or '', '?')} "
                                  f"while you were not goal side ({mine['boost']} boost)"))
    return out


def starved(report: Report, key: str) -> list[Moment]:
    spells = [e for e in _coaching(report, "boost_management", "starved") if e["player"] == key]
    spells.sort(key=lambda e: -e["seconds"])  # longest first
    return [_moment(e, f"{e['seconds']:.0f} s under 12 boost as first man or last back")
            for e in spells]


def overfill(report: Report, key: str) -> list[Moment]:
    pads = [p for p in (report.get("events") or {}).get("boost_pickups", [])
            if p["player"] == key and p["pad"] == "big" and p["amount"] <= 40]
    return [_moment(p, f"big pad taken with {100 - p['amount']:.0f} boost already in the tank")
            for p in sorted(pads, key=lambda p: p["amount"])]


def _shots(report: Report, key: str, field: str = "player") -> list[dict[str, Any]]:
    return [s for s in _coaching(report, "shots") if s.get(field) == key]


def pct(xg: float) -> str:
    return f"{100 * xg:.0f}%"


def missed_chances(report: Report, key: str) -> list[Moment]:
    missed = sorted((s for s in _shots(report, key) if not s["goal"]), key=lambda s: -s["xg"])
    return [_moment(s, f"missed a {pct(s['xg'])} chance "
                       f"({'on target' if s['on_target'] else 'wide'}, "
                       f"{s['speed']:.0f} uu/s)") for s in missed]


def _defender(margin: Any) -> str:
    """The nearest defender against the ball at the crossing point, in words."""
    if not isinstance(margin, int | float):  # reports before 1.7 lack margin_s
        return ""
    if abs(margin) < 0.05:
        return ", the nearest defender there as the ball arrives"
    if margin < 0:
        return f", the nearest defender there {-margin:.1f} s before the ball"
    return f", the nearest defender {margin:.1f} s behind the ball"


def low_xg_shots(report: Report, key: str) -> list[Moment]:
    low = sorted((s for s in _shots(report, key) if s["xg"] < LOW_XG), key=lambda s: s["xg"])
    return [_moment(s, f"shot at {pct(s['xg'])} xG from {s['distance']:.0f} uu out"
                       + _defender(s.get("margin_s"))) for s in low]


def chances_conceded(report: Report, key: str) -> list[Moment]:
    shots = sorted(_shots(report, key, "conceded_by"), key=lambda s: -s["xg"])
    return [_moment(s, f"{s.get('name') or '?'} shot after your touch ({pct(s['xg'])} xG"
                       f"{', goal' if s['goal'] else ''})") for s in shots]
