"""Insights: ranked, evidence-linked findings built on the coaching analyses.

A finding compares one player's metric with a baseline and says, in plain
words, what it cost, when it happened (3-5 moments to rewatch) and one
thing to practise. The catalogue (``RULES``) is explicit: each rule names
its registry metric, the least data it needs (``min_support``: no finding
from too little data), how to find its moments (``insight_moments``) and
its drill.

The effect size is a standardised difference in the "worse" direction of
the metric: ``(value - baseline) / spread``. The spread is the baseline's
own spread when it has one (the other players in the lobby, or the player's
own history in the library), floored per unit (``SPREAD_FLOOR``; counts
also at the square root of the baseline, a Poisson draw's spread) so three
near-identical lobby values cannot turn a small gap into a huge effect. A
finding needs ``effect > MIN_EFFECT``; severity is ``high`` from 2.0,
``medium`` from 1.25, else ``low``.

Baselines say where they come from: ``lobby`` (the other non-bot players
of the same game or games), ``history`` (the player's own games, in the
library), ``rank`` (ballchasing's population means, nearest tier to the
player's value; means only, all playlists pooled, pre-2023: the caveat
travels with the number). This module is pure: the report and the library
both call it.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rlcoach.report import insight_moments as mo
from rlcoach.report.registry import BY_QUALIFIED

MIN_EFFECT = 1.0  # more than one spread worse than the baseline
MAX_MOMENTS = 5
MIN_LIVE_S = 60.0  # a player on the pitch for less than this gets no findings
SPREAD_FLOOR = {"%": 5.0, "s": 5.0, "count": 1.0, "boost": 5.0, "boost/min": 20.0,
                "uu": 150.0, "uu/s": 50.0, "points": 50.0,
                # one goal: goals from ~1 xG of chances vary by about that much
                "xG": 1.0}
# Ballchasing's rank means ship with the dashboard's data; read by path so the
# pure layers do not import the TUI package (the coach reads it the same way).
RANK_MEANS_FILE = Path(__file__).resolve().parents[1] / "tui" / "data" / "rank_means.json"

Moment = dict[str, Any]
Report = dict[str, Any]
Total = Callable[[str], float]  # qualified metric -> the player's total (game or window)


@dataclass(frozen=True)
class Rule:
    id: str
    metric: str  # registry group.key
    claim: str  # format fields: name, value (formatted with its unit), extra
    practice: str
    support: tuple[str, float]  # (metric, least value) for the rule to judge at all
    moments: Callable[[Report, str], list[Moment]]
    extra: Callable[[Total], str] | None = None  # the claim's "{extra}": the counts behind it
    extra_metrics: tuple[str, ...] = ()  # metrics ``extra`` reads (the library fetches them)
    # (numerator, denominator) when ``metric`` is their ratio x 100: over a window
    # the library pools them (9 of 48 is 19%), where a median of per-game
    # percentages (0% in most games with one or two kickoffs) would contradict
    # the counts quoted beside it.
    ratio: tuple[str, str] | None = None

    def min_support(self, stats: dict[str, dict[str, Any]]) -> bool:
        return (_stat(stats, self.support[0]) or 0.0) >= self.support[1]


def _stat(stats: dict[str, dict[str, Any]], qualified: str) -> float | None:
    group, key = qualified.split(".")
    value = (stats.get(group) or {}).get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _kickoff_extra(total: Total) -> str:
    return kickoff_tally(total("kickoffs.won"), total("kickoffs.taken"))


def _finishing_extra(total: Total) -> str:
    goals = total("shooting.goals")
    return (f"{goals:.0f} goal{'s' if goals != 1 else ''} from {total('shooting.xg'):.1f} xG "
            f"on {total('shooting.shots'):.0f} shots")


def _quality_extra(total: Total) -> str:
    return f"{total('chances.low_xg_shots'):.0f} of {total('shooting.shots'):.0f} shots " \
           f"under {mo.pct(mo.LOW_XG)}"


def _conceded_extra(total: Total) -> str:
    return f"{total('chances.shots_conceded'):.0f} shots"



RULES: tuple[Rule, ...] = (
    Rule("kickoffs-lost", "kickoffs.win_pct",
         "{name} won {value} of the kickoffs taken ({extra})",
         "Kickoff practice in free play: 10 speedflip kickoffs from each spawn, aiming to hit "
         "the ball with the car's nose, slightly off-centre towards the open side.",
         ("kickoffs.taken", 4), mo.kickoffs_lost, _kickoff_extra,
         ("kickoffs.won", "kickoffs.taken"), ratio=("kickoffs.won", "kickoffs.taken")),
    Rule("double-commits", "rotation.double_commits",
         "{name} double committed with a teammate {value} times",
         "Before every challenge, glance at your teammate (ball cam off for a moment): if they "
         "are closer or already going, turn back towards the far post instead.",
         ("rotation.double_commits", 2), mo.double_commits),
    Rule("last-man-overcommits", "rotation.last_man_overcommits",
         "{name} challenged as the last player back in the opponents' half and lost it "
         "{value} times",
         "As last back, only challenge past halfway when you are sure to win the ball; "
         "otherwise hold near midfield, face the play and shadow.",
         ("rotation.last_man_overcommits", 2), mo.overcommits),
    Rule("caught-ahead", "rotation.goals_conceded_caught_ahead",
         "{name} ended up not goal side at {value} of the goals conceded",
         "When your team loses the ball, rotate back to the far post first, then pick the "
         "next challenge: practise in casual by saying 'back post' out loud at every turnover.",
         ("rotation.goals_conceded_caught_ahead", 2), mo.caught_ahead),
    Rule("boost-starved", "boost_management.percent_starved",
         "{name} spent {value} of live play under 12 boost as first man or last back",
         "Collect small pads on your rotation path so you never drop under 30: play one game "
         "where you take every small pad you pass and no big pad unless it is on your way.",
         ("boost_management.time_starved", 10), mo.starved),
    Rule("overfill", "boost_management.percent_overfill",
         "{name} wasted {value} of the pad boost picked up (tank nearly full)",
         "Leave big pads when you hold 70+ boost: take them only to deny the opponents or "
         "when you are low; let a teammate on less boost have them.",
         ("boost.count_collected_big", 4), mo.overfill),
    Rule("finishing", "shooting.goals_minus_xg",
         "{name} finished {value} goals against xG ({extra})",
         "Finishing practice in free play or a shooting training pack: 20 shots a session at "
         "the far post, away from where the defender stands; placement before power.",
         ("shooting.xg", 1.0), mo.missed_chances, _finishing_extra,
         ("shooting.goals", "shooting.xg", "shooting.shots")),
    Rule("shot-quality", "chances.shot_quality",
         "{name} took shots with on average a {value} chance of going in ({extra})",
         "Shoot when no defender can reach the ball in time; from far out with a defender goal "
         "side, pass or carry it closer instead. Next game, count the long shots you pass up.",
         ("shooting.shots", 4), mo.low_xg_shots, _quality_extra,
         ("chances.low_xg_shots", "shooting.shots")),
    Rule("chances-conceded", "chances.xg_conceded",
         "{name} touched the ball last before {value} xG of the opponents' shots "
         "(within 5 s; {extra})",
         "When you cannot put the ball into the opponents' half, clear it to the corner or off "
         "the side wall, never back through the middle: 20 clears to the corner in free play.",
         ("chances.shots_conceded", 2), mo.chances_conceded, _conceded_extra,
         ("chances.shots_conceded",)),
)
BY_ID = {r.id: r for r in RULES}
# Rules whose minimum is about sample size (not "nothing happened"): the
# dossier says when these could not judge a player.
DATA_GATED = frozenset({"kickoffs-lost", "overfill", "finishing", "shot-quality"})


@dataclass(frozen=True)
class Baseline:
    kind: str  # lobby | history | rank
    value: float
    spread: float | None
    n: int
    source: str
    pooled: bool = False  # value is the window's pooled ratio (Rule.ratio), not a median

    def as_dict(self) -> dict[str, Any]:
        out = {"kind": self.kind, "value": round(self.value, 2),
               "spread": round(self.spread, 2) if self.spread is not None else None,
               "n": self.n, "source": self.source}
        return out | {"pooled": True} if self.pooled else out  # only the library pools


def summarize(values: list[float], kind: str, source: str) -> Baseline | None:
    """Median and spread (scaled MAD: robust to one wild game) of ``values``."""
    if not values:
        return None
    med = statistics.median(values)
    mad = statistics.median(abs(v - med) for v in values) * 1.4826 if len(values) >= 3 else None
    return Baseline(kind, med, mad, len(values), source)


@cache
def _rank_means() -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(RANK_MEANS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data


def rank_baseline(qualified: str, value: float) -> Baseline | None:
    """The ballchasing rank tier whose mean is nearest ``value`` (pros left out)."""
    data = _rank_means()
    stat = (data.get("stats") or {}).get(qualified)
    if not stat:
        return None
    tiers = {t: v["mean"] for t, v in stat["tiers"].items() if t != "999"}
    tier = min(tiers, key=lambda t: abs(tiers[t] - value))
    name = data["tiers"].get(tier, tier)
    return Baseline("rank", float(tiers[tier]), None, int(stat["tiers"][tier]["games"]),
                    f"{name} mean; {data['source']['short']}")


def effect_size(qualified: str, value: float, base: Baseline) -> float:
    """Standardised gap, positive when ``value`` is worse than the baseline."""
    m = BY_QUALIFIED[qualified]
    sign = {"higher": -1.0, "lower": 1.0}.get(m.direction, 0.0)
    floor = SPREAD_FLOOR.get(m.unit, 1.0)
    if m.unit == "count":  # counts vary like Poisson draws: sd ~ sqrt(mean)
        floor = max(floor, abs(base.value) ** 0.5)
    spread = max(base.spread or 0.0, floor)
    return sign * (value - base.value) / spread


def severity(effect: float) -> str:
    return "high" if effect >= 2.0 else "medium" if effect >= 1.25 else "low"


def finding(rule: Rule, player: dict[str, Any], value: float, baselines: list[Baseline],
            moments: list[Moment], n_games: int, extra: str = "",
            qualifier: str = "") -> dict[str, Any] | None:
    """One insight dict, or None when the gap to the primary baseline is too small."""
    if not baselines:
        return None
    primary = baselines[0]
    effect = effect_size(rule.metric, value, primary)
    if effect <= MIN_EFFECT:
        return None
    unit = BY_QUALIFIED[rule.metric].unit
    claim = rule.claim.format(name=player["name"], value=fmt_value(value, unit), extra=extra)
    claim += qualifier
    basis = "the lobby's rate was" if primary.pooled else _BASIS[primary.kind]
    claim += f"; {basis} {fmt_value(primary.value, unit)}."
    return {
        "id": rule.id, "player": player["key"], "name": player["name"], "claim": claim,
        "metric": rule.metric, "value": round(value, 2), "baseline": primary.as_dict(),
        "baselines": [b.as_dict() for b in baselines], "effect": round(effect, 2),
        "n_games": n_games, "moments": moments[:MAX_MOMENTS], "practice": rule.practice,
        "severity": severity(effect),
    }


_BASIS = {"lobby": "the lobby's median was", "history": "your usual (median) is",
          "rank": "the nearest rank mean is"}


def fmt_value(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.0f}%"
    if unit == "s":
        return f"{value:.0f} s"
    text = f"{value:.1f}"
    return ("0.0" if text == "-0.0" else text).removesuffix(".0")


def rank_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    order = {"high": 0, "medium": 1, "low": 2}
    return sorted(findings, key=lambda f: (order[f["severity"]], -f["effect"], f["id"]))


def _live_seconds(player: dict[str, Any]) -> float:
    r = player["stats"].get("rotation") or {}
    return sum(float(r.get(f"time_{k}_man") or 0.0) for k in ("first", "second", "third"))


def game_insights(report: Report) -> list[dict[str, Any]]:
    """``report["insights"]``: every player's findings against their lobby, best first."""
    players = [p for p in report.get("players", []) if not p.get("is_bot")]
    found = []
    for p in players:
        if _live_seconds(p) < MIN_LIVE_S:
            continue
        others = [o for o in players if o["key"] != p["key"]]
        for rule in RULES:
            value = _stat(p["stats"], rule.metric)
            if value is None or not rule.min_support(p["stats"]):
                continue
            lobby = summarize([v for o in others if (v := _stat(o["stats"], rule.metric))
                               is not None], "lobby", "the other players in this game")
            baselines = [b for b in (lobby, rank_baseline(rule.metric, value)) if b is not None]
            extra = rule.extra(_totals(p["stats"])) if rule.extra else ""
            f = finding(rule, p, value, baselines, rule.moments(report, p["key"]), 1, extra)
            if f is not None:
                found.append(f)
    return rank_findings(found)


def _totals(stats: dict[str, dict[str, Any]]) -> Total:
    return lambda qualified: _stat(stats, qualified) or 0.0


def too_little_data(report: Report, key: str) -> list[str]:
    """Rules that could not judge this player in this game (for the dossier)."""
    p = next((x for x in report.get("players", []) if x["key"] == key), None)
    if p is None:
        return []
    if _live_seconds(p) < MIN_LIVE_S:
        return ["everything (under a minute of live play)"]
    return [r.id for r in RULES if r.id in DATA_GATED and _stat(p["stats"], r.metric)
            is not None and not r.min_support(p["stats"])]


def kickoff_tally(won: float, taken: float) -> str:
    return f"{won:.0f} of {taken:.0f}"
