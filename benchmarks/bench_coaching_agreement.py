"""Agreement of rlcoach's coaching events with the engine's own detectors.

For every corpus replay, runs rlcoach (``analyze_file``) and the engine's
``get_stats_events`` (slow: cached under --cache) and prints, per analysis:

- kickoffs: share of kickoffs matched in time, and among them agreement on
  the outcome (winner team or neutral), the takers' spawn labels and the
  takers' approach;
- 50/50s: recall/precision of contests matched by time (0.3 s), and winner
  agreement on the matched ones;
- passes: recall/precision of passes matched by passer, receiver and time;
- mechanics: per kind, recall of the engine's events and precision of ours,
  matched by player and time (1.0 s);
- clips: per mechanic clip in ../shared/replays (file names say what each
  holds), whether the mechanic is found, or, for the false-positive traps,
  whether it is rightly not found.

    python benchmarks/bench_coaching_agreement.py [--cache DIR] [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REPLAYS = ROOT.parent / "shared" / "replays"
STREAMS = {"air_dribble", "kickoff", "fifty_fifty", "pass", "speed_flip", "wavedash",
           "half_flip", "flip_reset", "ceiling_shot", "ball_carry", "double_tap", "flick",
           "musty_flick"}
ENGINE_KIND = {"speed_flip": "speed_flip", "wavedash": "wavedash", "half_flip": "half_flip",
               "flip_reset": "flip_reset", "ceiling_shot": "ceiling_shot",
               "double_tap": "double_tap", "flick": "flick", "musty_flick": "flick"}
# (file stem prefix, mechanic, expected): True = the clip holds it, False = a trap
# (the clip was collected because detectors wrongly find the mechanic there).
CLIPS = (
    ("air-dribble-goal-mouth", "air_dribble", True),
    ("calemacar-dribble-flick-sequence", "flick", True),
    ("calemacar-flip-reset-goal-9", "flip_reset", True),
    ("calemacar-simultaneous-backboard-double-tap", "double_tap", True),
    ("colonelpanic8-double-tap-third-goal", "double_tap", True),
    ("half-flip-recall-drill", "half_flip", True),
    ("nuttrback-double-tap-goal-7", "double_tap", True),
    ("panzinii-double-flip-reset", "flip_reset", True),
    ("rocket-sense-019f05c8-goal-5-flip-reset", "flip_reset", True),
    ("reverse-flick-vs-backflip", "flick", True),
    ("speed-flip-recall-drill", "speed_flip", True),
    ("speed-flip-confounders-none", "speed_flip", False),
    # "miss": the shot after the reset missed; the engine finds resets here too
    ("squishy-ranked-doubles-flip-reset-miss", "flip_reset", True),
)
TOL_S = {"kickoff": 1.5, "fifty": 0.3, "pass": 0.5, "mechanic": 1.0}


def engine_events(path: Path, cache: Path) -> list[dict[str, Any]]:
    out = cache / f"{path.name}.pkl"
    if out.exists():
        data = pickle.loads(out.read_bytes())
        if isinstance(data, dict):  # the engine failed on this replay
            raise RuntimeError(data.get("error", "engine failed"))
        return list(data)
    import subtr_actor

    events = [e for e in subtr_actor.get_stats_events(str(path))["events"]
              if e["meta"]["stream"] in STREAMS]
    out.write_bytes(pickle.dumps(events))
    return events


def who(report: dict[str, Any], engine_id: Any) -> str | None:
    """Our player key for an engine player id ({"Steam": "..."}, {"Epic": ...}, ...)."""
    text = json.dumps(engine_id)
    for p in report["players"]:
        if p["id"] and p["id"] in text:
            return str(p["key"])
    return None


def team_of(flag: bool | None) -> str | None:
    return None if flag is None else ("blue" if flag else "orange")


EventsOf = Callable[[Path, Path], list[dict[str, Any]]]


def with_engine(cache: Path, events_of: EventsOf,
                only: str = "") -> Iterator[tuple[Path, dict[str, Any], list[dict[str, Any]]]]:
    """(replay, rlcoach report, the engine's events) for each corpus replay, after
    printing the machine's load; a replay either side fails on is skipped, said
    on stderr (one bad replay never hides the others' figures)."""
    cache.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("RLCOACH_HOME", tempfile.mkdtemp(prefix="rlcoach-bench-"))
    from rlcoach.pipeline.single import analyze_file

    print(f"machine load: {os.getloadavg()[0]:.2f} (1 min), cpus {os.cpu_count()}")
    for path in sorted(p for p in REPLAYS.glob("*.replay") if only in p.name):
        try:
            report = analyze_file(path)
            engine = events_of(path, cache)
        except Exception as exc:
            print(f"  skipped {path.name}: {str(exc)[:80]}", file=sys.stderr)
            continue
        yield path, report, engine


class Tally:
    def __init__(self) -> None:
        self.c: Counter[str] = Counter()

    def rate(self, hit: str, total: str) -> str:
        n = self.c[total]
        return f"{100.0 * self.c[hit] / n:5.1f}% of {n}" if n else "   n/a"


def compare_kickoffs(report: dict[str, Any], engine: list[dict[str, Any]], t: Tally) -> None:
    ours = report["coaching"]["kickoffs"]
    for e in (x["payload"]["payload"] for x in engine if x["meta"]["stream"] == "kickoff"):
        t.c["ko_engine"] += 1
        start = e.get("live_action_start_time") or e.get("start_time")
        match = next((k for k in ours if abs(k["time"] - start) <= TOL_S["kickoff"]), None)
        if match is None:
            continue
        t.c["ko_matched"] += 1
        winner = {"team_zero_win": "blue", "team_one_win": "orange"}.get(e.get("outcome"))
        t.c["ko_outcome_same"] += int(winner == match["outcome"]["winner_team"])
        for side in ("team_zero_taker", "team_one_taker"):
            taker = e.get(side)
            if not taker:
                continue
            key = who(report, taker.get("player"))
            mine = next((p for p in match["players"] if p["player"] == key), None)
            t.c["ko_takers"] += 1
            if mine is None or mine["role"] != "taker":
                continue
            t.c["ko_taker_same"] += 1
            t.c["ko_spawn_same"] += int(mine["spawn"] == taker.get("spawn_position"))
            t.c["ko_approach_same"] += int(mine["approach"] == taker.get("approach"))
            t.c[f"ko_approach:{taker.get('approach')}->{mine['approach']}"] += 1


def compare_fifties(report: dict[str, Any], engine: list[dict[str, Any]], t: Tally) -> None:
    ours = report["coaching"]["fifty_fifties"]
    t.c["ff_ours"] += len(ours)
    match_fifties(ours, [x["payload"]["payload"] for x in engine
                         if x["meta"]["stream"] == "fifty_fifty"], t.c)


def match_fifties(ours: list[dict[str, Any]], theirs: list[dict[str, Any]],
                  c: Counter[str]) -> None:
    """Match the engine's 50/50 payloads to ours by time; count matches and winners."""
    c["ff_engine"] += len(theirs)
    used: set[int] = set()
    for e in theirs:
        k = next((n for n, f in enumerate(ours) if n not in used
                  and abs(f["time"] - e["start_time"]) <= TOL_S["fifty"]), None)
        if k is None:
            continue
        used.add(k)
        c["ff_matched"] += 1
        c["ff_winner_same"] += int(ours[k]["winner_team"] == team_of(
            e.get("winning_team_is_team_0")))


def compare_passes(report: dict[str, Any], engine: list[dict[str, Any]], t: Tally) -> None:
    ours = report["coaching"]["possession"]["passes"]
    theirs = [x["payload"]["payload"] for x in engine if x["meta"]["stream"] == "pass"]
    t.c["pass_ours"] += len(ours)
    t.c["pass_engine"] += len(theirs)
    used: set[int] = set()
    for e in theirs:
        passer, receiver = who(report, e.get("passer")), who(report, e.get("receiver"))
        k = next((n for n, p in enumerate(ours) if n not in used
                  and p["passer"]["player"] == passer and p["receiver"]["player"] == receiver
                  and abs(p["time"] - e["start_time"]) <= TOL_S["pass"]), None)
        if k is not None:
            used.add(k)
            t.c["pass_matched"] += 1


def engine_mechanics(report: dict[str, Any], engine: list[dict[str, Any]]) -> list[tuple]:
    out = []
    for x in engine:
        stream, p = x["meta"]["stream"], x["payload"]["payload"]
        if stream in ("ball_carry", "air_dribble"):
            if p.get("kind") != "air_dribble":
                continue
            out.append(("air_dribble", who(report, p.get("player_id")), p.get("start_time")))
        elif stream == "flip_reset":  # its time is when the reset was used; ours the reset
            out.append(("flip_reset", who(report, p.get("player")),
                        p.get("reset_time", p.get("time"))))
        elif stream in ENGINE_KIND:
            out.append((ENGINE_KIND[stream], who(report, p.get("player")), p.get("time")))
    return out


def compare_mechanics(report: dict[str, Any], engine: list[dict[str, Any]], t: Tally) -> None:
    ours = report["coaching"]["mechanics"]
    theirs = engine_mechanics(report, engine)
    for kind, player, time in theirs:
        t.c[f"m_engine:{kind}"] += 1
        if time is not None and any(e["kind"] == kind and e["player"] == player and abs(
                e["time"] - time) <= TOL_S["mechanic"] for e in ours):
            t.c[f"m_recalled:{kind}"] += 1
    for e in ours:
        t.c[f"m_ours:{e['kind']}"] += 1
        if any(kind == e["kind"] and player == e["player"] and time is not None
               and abs(e["time"] - time) <= TOL_S["mechanic"] for kind, player, time in theirs):
            t.c[f"m_confirmed:{e['kind']}"] += 1


def clip_rows(reports: dict[str, dict[str, Any]],
              engines: dict[str, list[dict[str, Any]]]) -> list[str]:
    rows = []
    for prefix, kind, expected in CLIPS:
        stem = next((s for s in reports if s.startswith(prefix)), None)
        if stem is None:
            rows.append(f"  {prefix:48} {kind:12} (replay missing)")
            continue
        ours = sum(e["kind"] == kind for e in reports[stem]["coaching"]["mechanics"])
        theirs = sum(k == kind for k, _, _ in engine_mechanics(reports[stem], engines[stem]))
        ok = (ours > 0) == expected
        what = "holds it" if expected else "trap    "
        rows.append(f"  {prefix:48} {kind:12} {what}  rlcoach {ours:3}  engine {theirs:3}  "
                    f"{'OK' if ok else 'MISS' if expected else 'FALSE POSITIVE'}")
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cache", type=Path,
                    default=Path(tempfile.gettempdir()) / "rlcoach-engine-events")
    ap.add_argument("--only", default="", help="only replays whose name contains this")
    args = ap.parse_args()
    t = Tally()
    reports, engines = {}, {}
    for path, report, engine in with_engine(args.cache, engine_events, args.only):
        reports[path.stem], engines[path.stem] = report, engine
        compare_kickoffs(report, engine, t)
        compare_fifties(report, engine, t)
        compare_passes(report, engine, t)
        compare_mechanics(report, engine, t)
    print(f"{len(reports)} replays")
    print("kickoffs: matched", t.rate("ko_matched", "ko_engine"),
          "| outcome agrees", t.rate("ko_outcome_same", "ko_matched"),
          "| same taker", t.rate("ko_taker_same", "ko_takers"),
          "| spawn agrees", t.rate("ko_spawn_same", "ko_taker_same"),
          "| approach agrees", t.rate("ko_approach_same", "ko_taker_same"))
    approaches = sorted((k.split(":", 1)[1], v) for k, v in t.c.items()
                        if k.startswith("ko_approach:"))
    print("  approach engine->rlcoach:", ", ".join(f"{k} {v}" for k, v in approaches))
    print("50/50s: engine recall", t.rate("ff_matched", "ff_engine"),
          "| our precision", t.rate("ff_matched", "ff_ours"),
          "| winner agrees", t.rate("ff_winner_same", "ff_matched"))
    print("passes: engine recall", t.rate("pass_matched", "pass_engine"),
          "| our precision", t.rate("pass_matched", "pass_ours"))
    print("mechanics (engine recall | our precision):")
    for kind in ("speed_flip", "wavedash", "half_flip", "flip_reset", "ceiling_shot",
                 "air_dribble", "double_tap", "flick"):
        print(f"  {kind:12} recall {t.rate(f'm_recalled:{kind}', f'm_engine:{kind}')}"
              f" | precision {t.rate(f'm_confirmed:{kind}', f'm_ours:{kind}')}")
    print("clips:")
    print("\n".join(clip_rows(reports, engines)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
