"""How fast the coach's tools answer on a big library (goal: each < 200 ms).

Usage::

    nice python benchmarks/bench_coach_tools.py                 # 2,000 factory games
    python benchmarks/bench_coach_tools.py --library big.sqlite3 --name BenchMe

Without ``--library`` it fills a temp library with the dashboard test factory
(``tests/tui/factories.fill``: every registry metric, goals, demos, kickoffs),
2,000 games by default. Each tool is run ``--repeat`` times with the widest
arguments the tools accept (windows at their caps: 500 games, 200 for
the lobby); the
median and worst times are printed with the machine load, and the exit code is
1 when a median is over the goal. Medians, because the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_MS = 200.0

CALLS: list[tuple[str, dict]] = [
    ("find_games", {"last": 50, "playlist": "ranked-doubles"}),
    ("find_games", {"last": 20, "result": "loss", "text": "Mako"}),
    ("game_summary", {"game": "latest"}),
    ("game_events", {"game": 1000, "kind": "goals"}),
    ("metric_summary", {"metrics": ["boost.bpm", "movement.avg_speed", "core.goals",
                                    "core.saves"], "last": 500}),
    ("metric_trend", {"metrics": ["boost.bpm", "movement.avg_speed"], "last": 500}),
    ("win_loss_split", {"metrics": ["boost.bpm", "positioning.percent_behind_ball"],
                        "last": 500}),
    ("compare_lobby", {"last": 200, "metrics": [
        "core.score", "core.goals", "core.saves", "core.shots", "boost.bpm",
        "boost.avg_amount", "movement.avg_speed", "demo.inflicted"]}),
    ("compare_ranks", {"metrics": ["boost.bpm", "movement.avg_speed"], "last": 500}),
    ("moment", {"game": 1000, "time": 60}),
    ("metric_definitions", {}),
    ("read_notes", {}),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=2000)
    parser.add_argument("--library", type=Path)
    parser.add_argument("--name", help="identity name in --library (e.g. BenchMe)")
    parser.add_argument("--repeat", type=int, default=7)
    opts = parser.parse_args()

    from rlcoach.coach.tools import Toolbox
    from rlcoach.config import Identity
    from rlcoach.library.db import open_library

    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("RLCOACH_HOME", tmp.name)
    if opts.library:
        path, identity = opts.library, Identity(names=(opts.name,)) if opts.name else None
    else:
        from tests.tui.factories import ME, fill

        path = Path(tmp.name) / "big.sqlite3"
        print(f"building {opts.games} factory games ...", flush=True)
        start = time.perf_counter()
        with open_library(path) as lib:
            fill(lib, opts.games, heatmap_every=4)
        print(f"built in {time.perf_counter() - start:.0f} s", flush=True)
        identity = Identity(platform_ids=(f"{ME[0]}:{ME[1]}",))

    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cpus")
    slow = []
    with open_library(path) as lib:
        box = Toolbox(lib, identity)
        box.run("metric_summary", {"metrics": ["boost.bpm"]})  # metric ids, warm caches
        print(f"{'tool':<20}{'args':<44}{'median ms':>10}{'max ms':>8}{'bytes':>7}")
        for name, args in CALLS:
            times, size = [], 0
            for _ in range(opts.repeat):
                result = box.run(name, args)
                if result.is_error:
                    print(f"{name}: error {result.text}")
                    return 2
                times.append(result.ms)
                size = len(result.text)
            median = statistics.median(times)
            if median > GOAL_MS:
                slow.append(name)
            shown = str(args)[:42]
            print(f"{name:<20}{shown:<44}{median:>10.1f}{max(times):>8.1f}{size:>7}")
    print(f"goal {GOAL_MS:.0f} ms per call: " + ("met" if not slow else f"MISSED by {slow}"))
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
