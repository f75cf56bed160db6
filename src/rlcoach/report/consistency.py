"""Cross-checks of a finished report: where two parts of it disagree, say so.

Some replays carry thin or odd data (pickups without amounts, dropshot
without boost use, goals missing from the network stream). The stats are
still computed, but a report that contradicts itself without a word would
mislead; each check below adds a specific ``quality`` warning instead.
They read only the report, so they also run over stored reports.
"""

from __future__ import annotations

from typing import Any

# Warnings that make the report's stats unfit for comparison with normal games.
DEGRADING = {"boost-amounts-missing", "boost-use-missing", "goal-events-missing"}
_TEAMS = ("blue", "orange")


def consistency_warnings(report: dict[str, Any]) -> list[dict[str, str]]:
    players = report.get("players") or []
    out: list[dict[str, str]] = []

    def boost(p: dict[str, Any], key: str) -> float:
        return float(((p.get("stats") or {}).get("boost") or {}).get(key) or 0)

    pickups = sum(boost(p, "count_collected_big") + boost(p, "count_collected_small")
                  for p in players)
    duration = float((report.get("replay") or {}).get("duration") or 0)
    if pickups > 0 and sum(boost(p, "amount_collected") for p in players) == 0 \
            and any(boost(p, "bpm") > 0 for p in players):
        out.append(_w("boost-amounts-missing",
                      "boost pad pickups carry no amounts in this replay: amount_collected and "
                      "bcpm are 0 while boost use (bpm) is not"))
    elif over := _used_beyond_spawns(report, duration):
        out.append(_w("boost-amounts-missing",
                      "players used far more boost than they spawn with, yet no pad pickup "
                      f"with an amount is recorded for them: {', '.join(over)} (collected "
                      "boost and bcpm are missing)"))
    if players and duration > 60 and all(boost(p, "bpm") == 0 for p in players):
        out.append(_w("boost-use-missing",
                      "no boost use recorded for any player (bpm 0 for all): boost stats are "
                      "not meaningful for this replay"))
    score = (report.get("replay") or {}).get("score") or {}
    total = sum(int(score.get(t) or 0) for t in _TEAMS)
    goals = len((report.get("events") or {}).get("goals") or [])
    if total and goals == 0:
        out.append(_w("goal-events-missing",
                      f"the score is {score.get('blue')}-{score.get('orange')} but the replay "
                      "has no goal events: goal timing and goal-based stats are missing"))
    elif total and goals != total:
        out.append(_w("goal-events-incomplete",
                      f"{goals} goal events for a score of {score.get('blue')}-"
                      f"{score.get('orange')}: goal-based stats cover the placed goals"))
    for team in _TEAMS:
        scored = sum(int(((p.get("stats") or {}).get("core") or {}).get("goals") or 0)
                     for p in players if p.get("team") == team)
        if team in score and scored != int(score[team] or 0):
            out.append(_w("scoreboard-goals-mismatch",
                          f"{team}'s players' goals add up to {scored}, the team scored "
                          f"{score[team]} (a scoreboard row is missing or belongs to a player "
                          "who left)"))
    possession = sum(float(((t.get("stats") or {}).get("ball") or {}).get("possession_time")
                           or 0) for t in (report.get("teams") or {}).values()
                     if isinstance(t, dict))
    if duration and possession > duration + 1.0:
        out.append(_w("possession-exceeds-duration",
                      f"possession adds up to {possession:.1f} s in a {duration:.1f} s match: "
                      "possession stats are unreliable here"))
    return out + _presence_warnings(players, duration)


# Boost a car spawns with (33.3 at each kickoff and respawn): without collecting,
# a player cannot use more. 25% slack, as bpm x match minutes overstates use (bpm's
# base leaves the seconds after goals out).
SPAWN_BOOST = 34.0
SPAWN_SLACK = 1.25


def _used_beyond_spawns(report: dict[str, Any], duration: float) -> list[str]:
    """Players with nothing collected who used more than their spawns gave them."""
    events = report.get("events") or {}
    kickoffs = len(events.get("kickoffs") or [])
    victims = [d.get("victim") for d in events.get("demolitions") or []]
    out = []
    for p in report.get("players") or []:
        b = (p.get("stats") or {}).get("boost") or {}
        spawns = kickoffs + victims.count(p.get("key")) + 1
        if not b.get("amount_collected") and \
                (b.get("bpm") or 0) * duration / 60 > SPAWN_SLACK * SPAWN_BOOST * spawns:
            out.append(str(p.get("name")))
    return out


# Each group partitions a player's tracked time: any of them longer than the
# span between his first and last row, or than the match, contradicts it.
PARTITIONS = (
    ("movement", ("time_ground", "time_low_air", "time_high_air")),
    ("movement", ("time_slow_speed", "time_boost_speed", "time_supersonic_speed")),
    ("positioning", ("time_defensive_third", "time_neutral_third", "time_offensive_third")),
    ("positioning", ("time_defensive_half", "time_offensive_half")),
    ("positioning", ("time_behind_ball", "time_infront_ball")),
    ("rotation", ("time_first_man", "time_second_man", "time_third_man")),
)
# Rounding (0.01 s per stat) and the last row's own duration (1/30 s) stay
# well under this; the bug it guards against was a whole second.
PRESENCE_SLACK_S = 0.25


def tracked_time(player: dict[str, Any]) -> float:
    """The longest of the player's time partitions (they should agree)."""
    stats = player.get("stats") or {}
    return max(sum(float((stats.get(group) or {}).get(k) or 0) for k in keys)
               for group, keys in PARTITIONS)


def _presence_warnings(players: list[dict[str, Any]], duration: float) -> list[dict[str, str]]:
    over = []
    for p in players:
        start, end = p.get("start_time"), p.get("end_time")
        tracked = tracked_time(p)
        present = (end - start) if start is not None and end is not None else 0.0
        if tracked > min(present, duration or present) + PRESENCE_SLACK_S:
            over.append(f"{p.get('name')} {tracked:.1f} s tracked, {present:.1f} s present")
    if not over:
        return []
    return [_w("tracked-exceeds-presence",
               "players tracked for longer than they were in the match: " + "; ".join(over)
               + " (their time-based stats are overstated)")]


def _w(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}
