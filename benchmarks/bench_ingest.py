"""Ingest overhead and re-ingest speed on the shared replay corpus.

Usage: python benchmarks/bench_ingest.py [--jobs N] [--replays DIR]

1. Analyze every replay (no cache): the cost of analysis alone.
2. Ingest the same folder into a fresh library (no cache): analysis plus
   hashing, dedupe and storing. Target: at most 10% more than step 1.
3. Ingest the unchanged folder again. Target: under 2 s.

Runs in a temporary RLCOACH_HOME, so neither your library nor your
analysis cache is touched.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "replays"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--replays", type=Path, default=CORPUS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["RLCOACH_HOME"] = home
        from rlcoach.library import open_library
        from rlcoach.library.ingest import ingest
        from rlcoach.pipeline import analyze_paths, discover_replays

        found: Any = discover_replays([str(args.replays)])
        paths = list(getattr(found, "paths", found))
        started = time.perf_counter()
        ok = sum(o.report is not None for o in analyze_paths(paths, jobs=args.jobs,
                                                               use_cache=False))
        analysis = time.perf_counter() - started
        print(f"analyze : {len(paths)} files ({ok} ok) in {analysis:6.2f} s")

        with open_library(Path(home) / "bench.sqlite3") as lib:
            first = ingest(lib, [args.replays], jobs=args.jobs, use_cache=False)
            print(f"ingest  : {first.new} new, {first.duplicate} duplicate, "
                  f"{len(first.failed)} failed in {first.seconds:6.2f} s")
            ratio = first.seconds / analysis
            verdict = "ok" if ratio <= 1.10 else "OVER BUDGET"
            print(f"ratio   : ingest / analyze = {ratio:.3f} (target <= 1.10: {verdict})")
            started = time.perf_counter()
            again = ingest(lib, [args.replays], jobs=args.jobs)
            reingest = time.perf_counter() - started
            verdict = "ok" if reingest < 2.0 else "OVER BUDGET"
            print(f"re-ingest: {again.unchanged} unchanged, {again.new} new in "
                  f"{reingest:.3f} s (target < 2 s: {verdict})")


if __name__ == "__main__":
    main()
