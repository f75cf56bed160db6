"""Speed: the whole rlcoach pipeline against the engine's own stats call.

Measured in one run, on the same files, on this machine:
1. replay -> written JSON through rlcoach (fresh worker, no cache) against
   ``subtr_actor.get_summed_stats`` on a 5-minute 3v3 replay; prints the ratio
   (target <= 0.5, aim 0.25);
2. batch throughput over the shared corpus with 1 and 2 workers (target 2
   workers >= 1.7x); skip with --quick;
3. peak worker RSS on the 11-minute 3v3 (target < 400 MB);
4. a cache hit on an unchanged file (target < 50 ms).

    python benchmarks/bench_speed.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPLAYS = ROOT.parent / "shared" / "replays"
THREE_V_THREE = REPLAYS / "recent-ranked-standard-2026-03-10-a.replay"  # 307 s, 3v3
LONG = REPLAYS / "4985385d-2a6a-4bea-a312-8e539c7fd098.replay"  # 690 s, 3v3


def _summed_stats_seconds(path: Path) -> float:
    code = ("import time, subtr_actor; t = time.perf_counter(); "
            f"subtr_actor.get_summed_stats({str(path)!r}); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def _pipeline(paths: list[Path], jobs: int) -> tuple[float, float]:
    from rlcoach.pipeline import analyze_paths
    from rlcoach.pipeline.output import ReportWriter

    with tempfile.TemporaryDirectory() as out:
        writer = ReportWriter(Path(out))
        t = time.perf_counter()
        peak = 0.0
        for o in analyze_paths(paths, jobs=jobs, use_cache=False):
            if o.report is not None:
                writer.write(o.path, o.report)
            peak = max(peak, o.peak_rss_mb)
        return time.perf_counter() - t, peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="skip the corpus throughput run")
    args = ap.parse_args()
    os.environ["RLCOACH_HOME"] = tempfile.mkdtemp(prefix="rlcoach-bench-")
    ours, _ = _pipeline([THREE_V_THREE], jobs=1)
    theirs = _summed_stats_seconds(THREE_V_THREE)
    print(f"5-min 3v3: rlcoach {ours:.2f} s (incl. worker start) vs get_summed_stats "
          f"{theirs:.2f} s -> ratio {ours / theirs:.2f} (target <= 0.5)")
    _, peak = _pipeline([LONG], jobs=1)
    print(f"11-min 3v3: peak worker RSS {peak:.0f} MB (target < 400 MB)")
    from rlcoach.pipeline import analyze_paths

    list(analyze_paths([THREE_V_THREE], jobs=1))  # fill the cache
    t = time.perf_counter()
    (hit,) = list(analyze_paths([THREE_V_THREE], jobs=1))
    print(f"cache hit: {1000 * (time.perf_counter() - t):.1f} ms (cached={hit.cached}, "
          "target < 50 ms)")
    if not args.quick:
        corpus = sorted(REPLAYS.glob("*.replay"))
        one, _ = _pipeline(corpus, jobs=1)
        two, _ = _pipeline(corpus, jobs=2)
        print(f"corpus ({len(corpus)} files): 1 worker {one:.1f} s, 2 workers {two:.1f} s -> "
              f"{one / two:.2f}x (target >= 1.7x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
