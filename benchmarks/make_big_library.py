"""Build a large library (default 2,000 games) from real reports, and time queries.

Usage:
    python benchmarks/make_big_library.py [--games 2000] [--out PATH] [--replays DIR]

Reports come from the shared corpus (analyzed once; the pipeline cache makes
reruns quick). Each synthetic game is a real report with a fresh match id, a
date a few minutes after the previous one (sessions of 3-8 games, then a
break), stats jittered by up to 15%, and one player renamed to the bench
identity so "me" exists in every game: put

    [identity]
    names = ["BenchMe"]

in rlcoach.toml (or pass identity in code). Prints the timings of the
read-side queries the dashboard uses; the dashboard helper shares this.
"""

from __future__ import annotations

import argparse
import copy
import random
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rlcoach.config import Identity
from rlcoach.library import open_library
from rlcoach.library import queries as q
from rlcoach.library.store import FileInfo, add_report

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "replays"
BENCH_ME = "BenchMe"


def real_reports(folder: Path) -> list[dict[str, Any]]:
    from rlcoach.pipeline import analyze_paths, discover_replays

    found: Any = discover_replays([str(folder)])
    paths = list(getattr(found, "paths", found))
    return [o.report for o in analyze_paths(paths, use_cache=True) if o.report is not None
            and any(not p.get("is_bot") for p in o.report.get("players", []))]


def synthesize(base: dict[str, Any], i: int, when: datetime, rng: random.Random) -> dict:
    report = copy.deepcopy(base)
    replay = report["replay"]
    replay["match_guid"] = uuid.UUID(int=rng.getrandbits(128)).hex.upper()
    replay["replay_id"] = f"BENCH{i:08d}"
    replay["sha256"] = f"{i:064x}"
    replay["date"] = when.replace(microsecond=0).isoformat()
    humans = [p for p in report["players"] if not p.get("is_bot")]
    me = rng.choice(humans)
    me.update(name=BENCH_ME, platform="steam", id="76561190000000000",
              key="steam:76561190000000000")
    for p in report["players"]:
        for group in p.get("stats", {}).values():
            for key, value in group.items():
                if isinstance(value, float):
                    group[key] = round(value * rng.uniform(0.85, 1.15), 3)
    return report


def build(out: Path, n: int, folder: Path, seed: int = 7) -> None:
    rng = random.Random(seed)
    bases = real_reports(folder)
    if not bases:
        raise SystemExit(f"no reports from {folder}")
    start = time.perf_counter()
    when = datetime(2025, 1, 1, 18, 0)
    with open_library(out) as lib:
        left_in_session = rng.randint(3, 8)
        for i in range(n):
            base = rng.choice(bases)
            add_report(lib, synthesize(base, i, when, rng),
                       FileInfo(f"/bench/{i}.replay", 1_000_000, float(i), f"bench{i}"))
            left_in_session -= 1
            if left_in_session == 0:
                when += timedelta(hours=rng.uniform(3, 40))
                left_in_session = rng.randint(3, 8)
            else:
                when += timedelta(minutes=rng.uniform(6, 12))
    print(f"built {n} games in {time.perf_counter() - start:.1f} s -> {out}")


def time_queries(path: Path) -> None:
    me = Identity(names=(BENCH_ME,))
    with open_library(path) as lib:
        checks = {
            "recent_games(50)": lambda: q.recent_games(lib, limit=50, identity=me),
            "recent_games(sort=bpm)": lambda: q.recent_games(lib, sort="bpm", identity=me),
            "count_games(result=win)": lambda: q.count_games(
                lib, filters=q.GameFilter(result="win"), identity=me),
            "search text": lambda: q.recent_games(
                lib, filters=q.GameFilter(text="mannfield"), identity=me),
            "trends(3 metrics, all)": lambda: q.trends(
                lib, ["bpm", "avg_speed", "percent_supersonic_speed"], last=None, identity=me),
            "sessions()": lambda: q.sessions(lib, identity=me),
            "win_rate()": lambda: q.win_rate(lib, identity=me),
            "lobby_comparison(last 200)": lambda: q.lobby_comparison(lib, last=200, identity=me),
            "notable_stats(last game)": lambda: q.notable_stats(
                lib, q.recent_games(lib, limit=1, identity=me)[0].game_id, identity=me),
            "game_detail": lambda: q.game_detail(lib, 1, identity=me),
        }
        for name, fn in checks.items():
            started = time.perf_counter()
            fn()
            print(f"{name:30s} {1000 * (time.perf_counter() - started):8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=Path("big-library.sqlite3"))
    parser.add_argument("--replays", type=Path, default=CORPUS)
    parser.add_argument("--queries-only", action="store_true")
    args = parser.parse_args()
    if not args.queries_only:
        if args.out.exists():
            raise SystemExit(f"{args.out} exists; remove it or pick another --out")
        build(args.out, args.games, args.replays)
    time_queries(args.out)


if __name__ == "__main__":
    main()
