"""Insights over a window of the user's games: the same rules as one report's.

``library_insights`` takes the user's last ``last`` games (optionally one
playlist), and for each rule in ``rlcoach.report.insights.RULES``:

* value: the user's median per game over the window;
* baselines: the lobby (every other non-bot player in those games: median
  and scaled MAD), the user's own history (median and spread over the
  window, so the reader sees how steady the number is), the nearest rank
  mean (ballchasing, with its caveats);
* effect: against the lobby, exactly as in a single report;
* moments: the rule's moments in the stored reports, newest game first,
  each with its game id and date;
* no finding from too little data: fewer than ``MIN_GAMES`` games with the
  metric, or the rule's support metric summed over the window below its
  per-game minimum, is listed in ``skipped`` with the reason instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select

from rlcoach.config import Identity
from rlcoach.library.db import Library
from rlcoach.library.filters import GameFilter
from rlcoach.library.queries import game_report
from rlcoach.library.schema import metric_values, players
from rlcoach.library.stats import _chunks, _my_games
from rlcoach.report.insights import (
    RULES,
    Baseline,
    Rule,
    finding,
    rank_baseline,
    rank_findings,
    summarize,
)

MIN_GAMES = 3
DEFAULT_LAST = 20
MOMENT_GAMES = 10  # newest games whose stored reports are searched for moments


@dataclass
class LibraryInsights:
    findings: list[dict[str, Any]] = field(default_factory=list)  # best first
    games: int = 0
    skipped: list[str] = field(default_factory=list)  # "rule: why it could not judge"
    last: int | None = DEFAULT_LAST
    playlist: str | None = None


def library_insights(library: Library, *, last: int | None = DEFAULT_LAST,
                     playlist: str | None = None, identity: Identity | None = None,
                     filters: GameFilter | None = None) -> LibraryInsights:
    """Ranked findings for the user over their ``last`` games (see module docstring)."""
    flt = filters or GameFilter(playlist=playlist)
    rows = _my_games(library, identity, flt, last)
    out = LibraryInsights(games=len(rows), last=last, playlist=playlist)
    if len(rows) < MIN_GAMES:
        out.skipped.append(f"everything: {len(rows)} game(s) in the window, need {MIN_GAMES}")
        return out
    wanted = {q for r in RULES for q in (r.metric, r.support[0], *r.extra_metrics)}
    mine, lobby = _values(library, rows, wanted)
    moments = _moment_source(library, rows)
    found = []
    for rule in RULES:
        f = _judge(rule, mine, lobby, moments, out)
        if f is not None:
            found.append(f)
    out.findings = rank_findings(found)
    return out


def _judge(rule: Rule, mine: dict[str, list[float]], lobby: dict[str, list[float]],
           moments: list[tuple[dict[str, Any], dict[str, Any], str]],
           out: LibraryInsights) -> dict[str, Any] | None:
    values = mine.get(rule.metric, [])
    support_metric, least = rule.support
    if len(values) < MIN_GAMES:
        out.skipped.append(f"{rule.id}: {len(values)} game(s) with {rule.metric}, "
                           f"need {MIN_GAMES}")
        return None
    if sum(mine.get(support_metric, [])) < least:
        out.skipped.append(f"{rule.id}: {support_metric} totals "
                           f"{sum(mine.get(support_metric, [])):g} over the window, "
                           f"need {least:g}")
        return None
    history = summarize(values, "history", f"your last {len(values)} games")
    assert history is not None
    base = summarize(lobby.get(rule.metric, []), "lobby", "the other players in your games")
    if base is None:
        return None
    value, qualifier = history.value, f" per game (median of {len(values)} games)"
    if rule.ratio:
        value = _pooled(rule.ratio, mine)
        base = replace(base, value=_pooled(rule.ratio, lobby), pooled=True)
        qualifier = f" in {len(values)} games"
    rank = rank_baseline(rule.metric, value)
    baselines: list[Baseline] = [b for b in (base, history, rank) if b is not None]
    found: list[dict[str, Any]] = []
    for game, report, key in moments:
        for m in rule.moments(report, key):
            found.append({**m, "game_id": game["id"], "played_at": game["played_at"]})
    extra = rule.extra(lambda q: sum(mine.get(q, []))) + " over the window" if rule.extra else ""
    return finding(rule, {"key": "me", "name": "You"}, value, baselines, found,
                   len(values), extra=extra, qualifier=qualifier)


def _pooled(ratio: tuple[str, str], values: dict[str, list[float]]) -> float:
    """sum(numerator) / sum(denominator) x 100 over the window (0 when empty)."""
    top, bottom = (sum(values.get(q, [])) for q in ratio)
    return 100.0 * top / bottom if bottom else 0.0


def _values(library: Library, rows: Sequence[dict[str, Any]],
            wanted: set[str]) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Per metric: the user's value per game, and every other non-bot player's."""
    ids = library.metric_ids()
    names = {ids[q]: q for q in wanted if q in ids}
    my_rows = {r["my_row"] for r in rows}
    game_ids = [r["id"] for r in rows]
    mine: dict[str, list[float]] = {}
    lobby: dict[str, list[float]] = {}
    with library.connect() as conn:
        prows: list[int] = []
        for chunk in _chunks(game_ids, 500):
            prows += [pid for (pid,) in conn.execute(
                select(players.c.id).where(players.c.game_id.in_(chunk),
                                           players.c.is_bot.is_(False)))]
        for chunk in _chunks(prows, 500):
            for prow, mid, value in conn.execute(
                select(metric_values.c.player_row, metric_values.c.metric_id,
                       metric_values.c.value)
                .where(metric_values.c.player_row.in_(chunk),
                       metric_values.c.metric_id.in_(list(names)))
            ):
                (mine if prow in my_rows else lobby).setdefault(names[mid], []).append(value)
    return mine, lobby


def _moment_source(library: Library, rows: Sequence[dict[str, Any]]
                   ) -> list[tuple[dict[str, Any], dict[str, Any], str]]:
    """(game row, stored report, the user's key in it) for the newest games."""
    with library.connect() as conn:
        keys = dict(conn.execute(select(players.c.id, players.c.key).where(
            players.c.id.in_([r["my_row"] for r in rows]))).tuples().all())
    out = []
    for row in list(reversed(rows))[:MOMENT_GAMES]:
        out.append((row, game_report(library, row["id"]), keys[row["my_row"]]))
    return out


__all__ = ["DEFAULT_LAST", "MIN_GAMES", "LibraryInsights", "library_insights"]
