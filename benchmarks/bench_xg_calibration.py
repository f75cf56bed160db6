"""xG calibration: sum of xG against goals over the corpus, and a calibration table.

Runs rlcoach on every replay in ../shared/replays and, over all shots
(``report["coaching"]["shots"]``), prints:

- shots, goals among them, the header's goals, and the sum of xG;
- a calibration table: per xG bin, shots, mean xG and the actual goal rate;
- the logistic fit of the physical prior's two constants on these shots
  (the margin t_def - t_ball recovered from each on-target shot's xG), so
  the constants in ``analysis/coaching/shots.py`` can be checked against
  the data they were set from.

This is in-sample (the constants were set from this corpus) and the corpus
is small; docs/coaching.md reports the figures with that caveat.

    python benchmarks/bench_xg_calibration.py
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from itertools import pairwise
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REPLAYS = ROOT.parent / "shared" / "replays"
BINS = (0.0, 0.05, 0.1, 0.2, 0.4, 0.7, 1.0001)


def collect() -> tuple[list[dict], int]:
    from rlcoach.pipeline.single import analyze_file

    shots, header_goals = [], 0
    for path in sorted(REPLAYS.glob("*.replay")):
        try:
            report = analyze_file(path)
        except Exception as exc:  # one bad replay never hides the others' figures
            print(f"  skipped {path.name}: {str(exc)[:80]}", file=sys.stderr)
            continue
        shots.extend(report["coaching"]["shots"])
        header_goals += len(report["events"]["goals"])
    return shots, header_goals


def fit(margins: np.ndarray, goals: np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood logistic regression by Newton's method."""
    x = np.column_stack([np.ones_like(margins), margins])
    w = np.zeros(2)
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (goals - p)
        hess = x.T @ (x * (p * (1 - p))[:, None]) + 1e-6 * np.eye(2)
        w += np.linalg.solve(hess, grad)
    return float(w[0]), float(w[1])


def main() -> int:
    os.environ.setdefault("RLCOACH_HOME", tempfile.mkdtemp(prefix="rlcoach-bench-"))
    from rlcoach.analysis.coaching import shots as model

    print(f"machine load: {os.getloadavg()[0]:.2f} (1 min), cpus {os.cpu_count()}")
    shots, header_goals = collect()
    xg = np.array([s["xg"] for s in shots])
    goal = np.array([s["goal"] for s in shots], dtype=float)
    print(f"model {model.MODEL}: {len(shots)} shots, {int(goal.sum())} goals among them "
          f"({header_goals} goals in the headers), sum of xG {xg.sum():.1f}")
    print(f"{'xG bin':>12} {'shots':>6} {'mean xG':>8} {'goal rate':>9}")
    for lo, hi in pairwise(BINS):
        sel = (xg >= lo) & (xg < hi)
        if sel.any():
            print(f"{lo:5.2f}-{min(hi, 1):4.2f} {int(sel.sum()):6} {xg[sel].mean():8.3f} "
                  f"{goal[sel].mean():9.3f}")
    on = np.array([s["on_target"] for s in shots])
    p = np.clip(xg[on], 1e-4, 1 - 1e-4)
    margins = (np.log(p / (1 - p)) - model.XG_BIAS) / model.XG_SLOPE
    bias, slope = fit(margins, goal[on])
    off_rate = goal[~on].mean() if (~on).any() else math.nan
    print(f"logistic fit on {int(on.sum())} on-target shots: bias {bias:.2f}, slope {slope:.2f} "
          f"(shots.py uses {model.XG_BIAS}, {model.XG_SLOPE}); off-target goal rate "
          f"{off_rate:.3f} on {int((~on).sum())} shots")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
