"""Evidence agreement of the insight rules with the engine's own events.

An insight is only as good as the events it rests on. For every corpus
replay this runs rlcoach (``analyze_file``) and the engine's
``get_stats_events`` (cached under --cache: about 4 s per replay) and
prints, per insight rule, how often the engine agrees with the evidence:

- kickoffs-lost: kickoffs the player took and lost (the rule's moments and
  ``kickoffs.win_pct``): matched to the engine's kickoffs (1.5 s), the same
  taker, and the engine's outcome also a loss for the player's team;
- finishing, shot-quality: shots (the rules' moments and the ``shooting``
  and ``chances`` metrics): the game's own shot events (engine timeline
  "Shot", which the game records up to ~3 s after the touch) found among
  our shots by the same player from 3 s before to 0.5 s after, our shots
  with such a game shot event, and goals credited to the same scorer;
- chances-conceded: each charged shot's conceding player against the
  engine's touch stream (the defending team's last touch before the shot,
  within 5 s, by the same player);
- 50/50 winners (no rule judges them alone; the duel metrics): matched
  contests (0.3 s) and the winner agreeing.

Rules whose evidence the engine has no event for (double commits, last-man
overcommits, caught ahead, boost) are listed as such. It also prints how
many findings each rule produced over the corpus.

    python benchmarks/bench_insights.py [--cache DIR]
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

# Run as a script: this directory is on sys.path.
from bench_coaching_agreement import match_fifties, who, with_engine

STREAMS = {"kickoff", "fifty_fifty", "timeline", "touch"}
TOL_S = {"kickoff": 1.5, "shot_before": 3.0, "shot_after": 0.5,
         "conceded": 5.0}
NO_ENGINE_EVENT = ("double-commits", "last-man-overcommits", "caught-ahead", "boost-starved",
                   "overfill")


def engine_events(path: Path, cache: Path) -> list[dict[str, Any]]:
    """The engine's events of ``STREAMS``: (stream, player key or None, time, payload)."""
    out = cache / f"{path.name}.insights.pkl"
    if out.exists():
        data: list[dict[str, Any]] = pickle.loads(out.read_bytes())
        return data
    import subtr_actor

    keep = []
    for e in subtr_actor.get_stats_events(str(path))["events"]:
        meta = e["meta"]
        if meta["stream"] not in STREAMS:
            continue
        timing = meta["timing"]
        keep.append({"stream": meta["stream"], "player": meta.get("primary_player"),
                     "team0": meta.get("team_is_team_0"),
                     "time": timing.get("time", timing.get("start_time")),
                     "payload": e["payload"]["payload"]})
    out.write_bytes(pickle.dumps(keep))
    return keep


def kickoffs(report: dict[str, Any], engine: list[dict[str, Any]], c: Counter[str]) -> None:
    theirs = [e["payload"] for e in engine if e["stream"] == "kickoff"]
    for k in report["coaching"]["kickoffs"]:
        winner = (k.get("outcome") or {}).get("winner_team")
        for p in k["players"]:
            if p["role"] != "taker" or winner is None or winner == p["team"]:
                continue
            c["ko_lost"] += 1
            e = next((e for e in theirs if abs(
                (e.get("live_action_start_time") or e.get("start_time") or -99) - k["time"])
                <= TOL_S["kickoff"]), None)
            if e is None:
                continue
            c["ko_lost_matched"] += 1
            side = "team_zero_taker" if p["team"] == "blue" else "team_one_taker"
            c["ko_lost_same_taker"] += int(who(report, (e.get(side) or {}).get("player"))
                                           == p["player"])
            engine_winner = {"team_zero_win": "blue", "team_one_win": "orange"}.get(
                e.get("outcome"))
            c["ko_lost_agree"] += int(engine_winner == winner)


def _credited(shot_time: float, game_time: float) -> bool:
    """The game records its shot event up to ~3 s after the touch (when it judges it)."""
    return -TOL_S["shot_before"] <= shot_time - game_time <= TOL_S["shot_after"]


def shots(report: dict[str, Any], engine: list[dict[str, Any]], c: Counter[str]) -> None:
    ours = report["coaching"]["shots"]
    game = [(who(report, e["payload"].get("player_id")), e["time"], e["payload"]["kind"])
            for e in engine if e["stream"] == "timeline"]
    c["game_unmapped"] += sum(k is None for k, _, kind in game if kind == "Shot")
    game_shots = [(k, t) for k, t, kind in game if kind == "Shot" and k is not None]
    c["game_shots"] += len(game_shots)
    c["game_shots_found"] += sum(any(s["player"] == k and _credited(s["time"], t)
                                     for s in ours) for k, t in game_shots)
    c["our_shots"] += len(ours)
    c["our_shots_game"] += sum(any(k == s["player"] and _credited(s["time"], t)
                                   for k, t in game_shots) for s in ours)
    for k, t, kind in game:
        if kind == "Goal":
            c["game_goals"] += 1
            c["game_goals_same_scorer"] += int(any(
                s["goal"] and s["player"] == k and 0 <= t - s["time"] <= 6.0 for s in ours))


def conceded(report: dict[str, Any], engine: list[dict[str, Any]], c: Counter[str]) -> None:
    teams = {p["key"]: p["team"] for p in report["players"]}
    touches = sorted(((e["time"], who(report, e["player"])) for e in engine
                      if e["stream"] == "touch" and e["time"] is not None), key=lambda x: x[0])
    for s in report["coaching"]["shots"]:
        if s.get("conceded_by") is None:
            continue
        c["conceded"] += 1
        # the engine's last touch by the defending team before the shot (small slack:
        # the two touch detectors can place the same touch a frame apart)
        before = [(t, k) for t, k in touches if t < s["time"] - 0.05
                  and s["time"] - t <= TOL_S["conceded"] and k is not None
                  and teams.get(k) not in (None, s["team"])]
        c["conceded_same"] += int(bool(before) and before[-1][1] == s["conceded_by"])


def fifties(report: dict[str, Any], engine: list[dict[str, Any]], c: Counter[str]) -> None:
    match_fifties(report["coaching"]["fifty_fifties"],
                  [e["payload"] for e in engine if e["stream"] == "fifty_fifty"], c)


def rate(c: Counter[str], hit: str, total: str) -> str:
    return f"{100.0 * c[hit] / c[total]:5.1f}% of {c[total]}" if c[total] else "  n/a"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path,
                    default=Path(tempfile.gettempdir()) / "rlcoach-insight-events")
    args = ap.parse_args()
    c: Counter[str] = Counter()
    findings: Counter[str] = Counter()
    n = 0
    for _path, report, engine in with_engine(args.cache, engine_events):
        n += 1
        findings.update(f["id"] for f in report.get("insights", []))
        for compare in (kickoffs, shots, conceded, fifties):
            compare(report, engine, c)
    print(f"{n} replays; findings per rule: "
          + ", ".join(f"{k} {v}" for k, v in sorted(findings.items())))
    print("kickoffs-lost: lost kickoffs matched", rate(c, "ko_lost_matched", "ko_lost"),
          "| same taker", rate(c, "ko_lost_same_taker", "ko_lost_matched"),
          "| engine also a loss", rate(c, "ko_lost_agree", "ko_lost_matched"))
    print("finishing, shot-quality: game shot events among ours",
          rate(c, "game_shots_found", "game_shots"),
          "| our shots with a game shot event", rate(c, "our_shots_game", "our_shots"),
          "| game goals with our goal shot by the scorer",
          rate(c, "game_goals_same_scorer", "game_goals"),
          f"| game shots whose player we could not map: {c['game_unmapped']}")
    print("chances-conceded: conceding player = engine's last defending touch",
          rate(c, "conceded_same", "conceded"))
    print("50/50s (duel metrics): engine contests matched", rate(c, "ff_matched", "ff_engine"),
          "| winner agrees", rate(c, "ff_winner_same", "ff_matched"))
    print("no engine event to compare: " + ", ".join(NO_ENGINE_EVENT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
