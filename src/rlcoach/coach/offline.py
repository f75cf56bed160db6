"""Offline coaching: no model, the same tools, the top findings as plain text.

Used with ``--offline`` and whenever neither an own key nor a hosted login is
available, so ``rlcoach coach`` is useful without an account. Every number
printed comes straight from a tool result (the same JSON a model would see);
the wording around it is fixed text.

Findings, in order: the games looked at and the win rate; for one game, the
stats that stood out against the player's recent games; for a trend (the
dashboard's Trends), each charted metric's average, first-half and
second-half means and latest rolling average over the charted games; the metrics that
differ most between wins and losses (in spreads, so units do not matter); the
rank-means comparison with its caveat; the player's saved goals.
"""

from __future__ import annotations

import json
from typing import Any

from rlcoach.coach.tools import Toolbox

SPLIT_METRICS = ("boost.bpm", "boost.avg_amount", "movement.avg_speed",
                 "movement.percent_supersonic_speed", "positioning.percent_behind_ball",
                 "core.shots", "core.saves", "demo.inflicted")


def _get(box: Toolbox, name: str, **args: Any) -> dict[str, Any]:
    result = box.run(name, args)
    payload = json.loads(result.text)
    return {} if result.is_error else payload


def _num(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def findings(box: Toolbox, *, game: int | str | None = None, last: int = 50,
             question: str | None = None, trend: dict[str, Any] | None = None) -> str:
    lines = ["Offline coach: no model is used; these are the top findings from your "
             "library's numbers."]
    if question:
        lines.append("(Your question was not sent anywhere: offline mode cannot answer "
                     "free text. Use your own key or `rlcoach login` for that.)")
    if game is not None:
        lines += _game_findings(box, game)
    if trend:
        lines += _trend_findings(box, trend)
    split = _get(box, "win_loss_split", metrics=list(SPLIT_METRICS), last=last)
    metrics = split.get("metrics", [])
    if metrics:
        wins, losses = metrics[0]["wins"]["n"], metrics[0]["losses"]["n"]
        lines.append(f"\nYour last {wins + losses} decided games: {wins} wins, {losses} losses.")
        ranked = sorted((m for m in metrics if _effect(m) is not None),
                        key=lambda m: -abs(_effect(m) or 0))[:3]
        if ranked:
            lines.append("Biggest differences between your wins and losses:")
        for m in ranked:
            lines.append(f"- {m['label']} ({m['unit']}): {_num(m['wins']['mean'])} in wins vs "
                         f"{_num(m['losses']['mean'])} in losses "
                         f"(n={m['wins']['n']}/{m['losses']['n']}, "
                         f"spread {_num(m['losses']['sd'])})")
    ranks = _get(box, "compare_ranks", last=last)
    covered = [c for c in ranks.get("comparison", []) if c.get("nearest_rank")]
    if covered:
        lines.append("\nBeside ballchasing's rank means (" + ranks.get("caveat", "") + "):")
        for c in covered:
            lines.append(f"- {c['label']}: yours {_num(c['my_mean'])} over {c['my_games']} "
                         f"games, closest to the {c['nearest_rank']} mean")
    notes = _get(box, "read_notes", kind="goal", limit=5).get("notes", [])
    if notes:
        lines.append("\nYour saved goals:")
        lines += [f"- {n['text']} (saved {n['date']})" for n in notes]
    if len(lines) == 1:
        lines.append("Nothing to say yet: `rlcoach ingest` your replays and set [identity].")
    return "\n".join(lines)


def _effect(m: dict[str, Any]) -> float | None:
    w, lo = m["wins"], m["losses"]
    if not w.get("n") or not lo.get("n") or w.get("mean") is None:
        return None
    spread = max(w.get("sd") or 0.0, lo.get("sd") or 0.0)
    return None if spread <= 1e-9 else (w["mean"] - lo["mean"]) / spread


def _game_findings(box: Toolbox, game: int | str) -> list[str]:
    summary = _get(box, "game_summary", game=game)
    if not summary:
        return [f"\n(no game {game} in the library)"]
    out = [f"\nGame {summary['game']} ({summary['date']}, {summary.get('playlist')}, "
           f"{summary.get('map')}): {summary.get('result') or 'no result'} {summary['score']}."]
    for goal in summary.get("goals", [])[:8]:
        at = goal.get("clock") or f"{_num(goal.get('time'))}s"
        out.append(f"- goal by {goal.get('scorer')} ({goal.get('team')}): "
                   f"game {summary['game']} @ {at}")
    notable = summary.get("notable_vs_my_recent_games", [])
    if notable:
        out.append("Stood out against your recent games:")
    for n in notable:
        verdict = "better" if n.get("better") else "worse" if n.get("better") is False else ""
        out.append(f"- {n['label']}: {_num(n['value'])} vs your usual {_num(n['average'])} "
                   f"{verdict}".rstrip())
    return out



def _trend_findings(box: Toolbox, args: dict[str, Any]) -> list[str]:
    """The charted metrics, each over the charted games (``args``: metric_trend's input)."""
    series = _get(box, "metric_trend", **args).get("series", [])
    out = [f"\nThe metrics you are charting ({args.get('playlist') or 'any playlist'}):"]
    for s in series:
        better = {"higher": "higher is better", "lower": "lower is better"}.get(
            s["direction"], "neither way is better")
        out.append(f"- {s['label']} ({s['unit']}, {better}) over "
                   f"{s['games']} games: average {_num(s['average'])}; first half "
                   f"{_num(s['first_half_mean'])}, second half {_num(s['second_half_mean'])}; "
                   f"latest {s['rolling_window']}-game average {_num(s['rolling_latest'])}")
    return out if series else [f"\n(no games with {', '.join(args.get('metrics', []))})"]
