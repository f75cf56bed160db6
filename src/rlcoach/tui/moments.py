"""A game's key moments, on the clock the player saw, from its stored report.

Sources, each optional (older reports lack the newer ones):

* ``events.goals``: every goal, for or against the user, never dropped. A
  goal without a ``time`` (the analysis could not match it to a moment in
  the frames) is placed from its ``header_frame`` (``header_clock``); with
  no header frame either it is still listed, unplaced.
  Who was last back comes from ``coaching.goals_conceded`` (issue 10's
  analysis); without it the moment says it is unknown.
* ``events.demolitions``; ``coaching.kickoffs`` (or ``events.kickoffs``);
  ``coaching.fifty_fifties``; ``coaching.shots`` with their xG.
* ``coaching.mechanics`` (speedflips, wavedashes, flip resets, ...), each
  with the analysis' confidence, which is a heuristic score.
* Starved stretches (under 12 boost as first man or last back) and double
  commits, when the coaching analyses provide them
  (``coaching.boost_management.starved`` and
  ``coaching.rotation.double_commits``): the report's stats only hold the
  total time at zero boost, which places nothing.

Times are seconds since the recording started; ``clock`` is the match clock
("4:37", "+0:42" in overtime) filled by ``analysis.clock`` when the report
has it, else ``None`` and the screen shows the replay time instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

LONG_EMPTY_SECONDS = 4.0  # a starved stretch shorter than this is a pickup route, not a moment


@dataclass(frozen=True)
class Moment:
    time: float | None  # seconds since the recording started; None: could not be placed
    clock: str | None  # the match clock the player saw, when the report has it
    kind: str  # goal, demo, kickoff, fifty, shot, empty, double, mech
    team: str | None  # whose moment (scoring team, attacker's team, ...)
    title: str
    detail: str
    mine: bool | None  # for the user's team (True), against (False), or neutral/unknown

    @property
    def sort_key(self) -> tuple[bool, float]:
        return (self.time is None, self.time or 0.0)


def header_clock(report: dict[str, Any]) -> Callable[[int], float | None]:
    """Replay-header frame number -> seconds since the recording started.

    Header frames count the replay's network frames, not the sample rows
    the other events' ``frame`` refers to, so those cannot be used. When at
    least two goals carry both a time and a header frame, interpolate
    between them; otherwise spread the header's ``frame_count`` frames evenly
    over the recording (start to the last player's ``end_time``): on the
    three goldens' 10 goals that lands within 5 s of the analysed time.
    """
    replay = report.get("replay") or {}
    pairs = sorted({(int(g["header_frame"]), float(g["time"]))
                    for g in (report.get("events") or {}).get("goals") or []
                    if isinstance(g.get("header_frame"), int)
                    and isinstance(g.get("time"), int | float)})
    if len(pairs) >= 2:
        (f0, t0), (f1, t1) = pairs[0], pairs[-1]
        slope = (t1 - t0) / ((f1 - f0) or 1)
        return lambda frame: t0 + (frame - f0) * slope
    ends = [p["end_time"] for p in report.get("players") or []
            if isinstance(p.get("end_time"), int | float)]
    end = max(ends) if ends else replay.get("duration")
    frames = replay.get("frame_count")
    if not frames or not end:
        return lambda frame: None
    return lambda frame: frame * float(end) / int(frames)


def _names(report: dict[str, Any]) -> tuple[dict[Any, str], dict[Any, str | None]]:
    players = report.get("players") or []
    return ({p.get("key"): p.get("name") or "?" for p in players},
            {p.get("key"): p.get("team") for p in players})


def _near(items: list[dict[str, Any]], time: float | None, within: float = 1.5) -> dict | None:
    if time is None:
        return None
    close = [e for e in items if isinstance(e.get("time"), int | float)
             and abs(e["time"] - time) <= within]
    return min(close, key=lambda e: abs(e["time"] - time)) if close else None


def game_moments(report: dict[str, Any], my_team: str | None) -> list[Moment]:
    """Every key moment of the game, in time order (unplaced goals last)."""
    events = report.get("events") or {}
    coaching = report.get("coaching") or {}
    name, team_of = _names(report)

    def who(key: Any, missing: str = "unknown") -> str:
        return name.get(key, missing) if key is not None else missing

    def mine(team: str | None) -> bool | None:
        return None if my_team is None or team is None else team == my_team

    out = _goals(events.get("goals") or [], coaching.get("goals_conceded") or [],
                 header_clock(report), who, mine)
    for d in events.get("demolitions") or []:
        team = team_of.get(d.get("attacker"))
        out.append(Moment(d.get("time"), d.get("clock"), "demo", team, "Demo",
                          f"{who(d.get('attacker'))} demolished {who(d.get('victim'))}",
                          mine(team)))
    out += _kickoffs(coaching.get("kickoffs"), events.get("kickoffs") or [], who, team_of, mine)
    out += _coaching(coaching, who, team_of, mine)
    out += _mechanics(coaching.get("mechanics") or [], who, team_of, mine)
    return sorted(out, key=lambda m: m.sort_key)


def _mechanics(found: list[dict[str, Any]], who: Callable[..., str],
               team_of: dict[Any, str | None],
               mine: Callable[[str | None], bool | None]) -> list[Moment]:
    """``coaching.mechanics``: speedflips, wavedashes, flip resets... with their confidence."""
    out = []
    for e in found:
        key = e.get("player")
        team = team_of.get(key)
        conf = e.get("confidence")
        score = f"; confidence {conf:.2f} (a heuristic score)" \
            if isinstance(conf, int | float) else ""
        kind = str(e.get("kind") or "mechanic").replace("_", " ")
        out.append(Moment(e.get("time"), e.get("clock"), "mech", team, kind.capitalize(),
                          f"{who(key)}{score}", mine(team)))
    return out


def _goals(goals: list[dict[str, Any]], conceded: list[dict[str, Any]],
           frame_time: Callable[[int], float | None], who: Callable[..., str],
           mine: Callable[[str | None], bool | None]) -> list[Moment]:
    out = []
    for g in goals:
        time, note = g.get("time"), ""
        if not isinstance(time, int | float):
            frame = g.get("header_frame")
            time = frame_time(frame) if isinstance(frame, int) else None
            note = " (time from the replay header, ±5 s)" if time is not None \
                else " (no time in the replay: not placed)"
        for_us = mine(g.get("team"))
        label = "Goal" if for_us is None else "Goal for" if for_us else "Goal against"
        scorer = who(g.get("scorer"))
        assist = f", assist {who(g['assister'])}" if g.get("assister") else ""
        analysed = _near(conceded, time)
        last_back = f"last back: {who(analysed.get('last_back'))}" if analysed else \
            "last back: not analysed in this report"
        out.append(Moment(time, g.get("clock"), "goal", g.get("team"), label,
                          f"{scorer}{assist}; {last_back}{note}", for_us))
    return out


def _kickoffs(analysed: Any, plain: list[dict[str, Any]], who: Callable[..., str],
              team_of: dict[Any, str | None],
              mine: Callable[[str | None], bool | None]) -> list[Moment]:
    out = []
    if isinstance(analysed, list) and analysed:
        for k in analysed:
            outcome = k.get("outcome") or {}
            team = outcome.get("winner_team")
            takers = ", ".join(f"{who(p.get('player'))} ({p.get('approach') or '?'})"
                               for p in k.get("players") or [] if p.get("first_touch"))
            goal = "; goal within 5 s" if outcome.get("goal_within_5s") else ""
            won = f"won by {team}" if team else "neutral"
            out.append(Moment(k.get("time"), k.get("clock"), "kickoff", team, "Kickoff",
                              f"{won}; first touch {takers or 'nobody'}{goal}", mine(team)))
        return out
    for k in plain:
        team = k.get("first_touch_team") or team_of.get(k.get("first_touch"))
        goal = "; goal within 5 s" if k.get("goal_within_5s") else ""
        out.append(Moment(k.get("time"), k.get("clock"), "kickoff", team, "Kickoff",
                          f"first touch {who(k.get('first_touch'), 'nobody')}{goal}",
                          mine(team)))
    return out


def _coaching(coaching: dict[str, Any], who: Callable[..., str],
              team_of: dict[Any, str | None],
              mine: Callable[[str | None], bool | None]) -> list[Moment]:
    out = []
    for f in coaching.get("fifty_fifties") or []:
        team = f.get("winner_team")
        between = " v ".join(who(p.get("player") if isinstance(p, dict) else p)
                             for p in f.get("players") or [])
        out.append(Moment(f.get("time"), f.get("clock"), "fifty", team,
                          "Kickoff 50/50" if f.get("kickoff") else "50/50",
                          f"{between}: {'won by ' + team if team else 'neutral'}", mine(team)))
    for s in coaching.get("shots") or []:
        team = s.get("team") or team_of.get(s.get("player"))
        xg = f"xG {s['xg']:.2f}" if isinstance(s.get("xg"), int | float) else "xG ?"
        result = "goal" if s.get("goal") else "on target" if s.get("on_target") else "off target"
        out.append(Moment(s.get("time"), s.get("clock"), "shot", team, "Shot",
                          f"{who(s.get('player'))}: {xg}, {result}", mine(team)))
    for e in (coaching.get("boost_management") or {}).get("starved") or []:
        length = e.get("seconds")
        if not isinstance(length, int | float) or length < LONG_EMPTY_SECONDS:
            continue
        key = e.get("player")
        out.append(Moment(e.get("time"), e.get("clock"), "empty", team_of.get(key),
                          "Starved of boost", f"{who(key)} under 12 boost as first man or "
                          f"last back for {length:.0f} s", None))
    for d in (coaching.get("rotation") or {}).get("double_commits") or []:
        players = d.get("players") or []
        team = team_of.get(players[0]) if players else None
        out.append(Moment(d.get("time"), d.get("clock"), "double", team, "Double commit",
                          " and ".join(who(p) for p in players), None))
    return out


SITUATION_WINDOW = 5.0  # s either side of a moment that its situation lists


def situation(report: dict[str, Any], moment: Moment) -> str:
    """What the report knows around a moment: score, last touch, what happened near it.

    The library keeps reports, not frames, so car positions and boost levels
    at that instant are not available; this says what is.
    """
    at = moment.time
    when = moment.clock or (f"replay {_mmss(at)}" if at is not None else "unplaced")
    head = f"{moment.title} at {when}: {moment.detail}"
    if at is None:
        return head
    events = report.get("events") or {}
    name, _ = _names(report)
    goals = [g for g in events.get("goals") or []
             if isinstance(g.get("time"), int | float) and g["time"] < at]
    score = (f"score before it: blue {sum(g.get('team') == 'blue' for g in goals)}"
             f" - orange {sum(g.get('team') == 'orange' for g in goals)}")
    touches = [t for t in events.get("touches") or []
               if isinstance(t.get("time"), int | float) and t["time"] <= at]
    last = f"last touch: {name.get(touches[-1].get('player'), '?')} " \
        f"{at - touches[-1]['time']:.1f} s before" if touches else "no touch recorded before it"
    near = []
    for kind, label in (("touches", "touch"), ("boost_pickups", "boost"),
                        ("demolitions", "demo")):
        for e in events.get(kind) or []:
            t = e.get("time")
            if isinstance(t, int | float) and abs(t - at) <= SITUATION_WINDOW:
                who = name.get(e.get("player") or e.get("attacker"), "?")
                near.append((t, f"{t - at:+.1f} s {label} {who}"))
    nearby = "; ".join(text for _, text in sorted(near)[:8]) or "nothing else recorded"
    return f"{head}\n{score} · {last}\nwithin {SITUATION_WINDOW:.0f} s: {nearby}"


def _mmss(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"
