"""xG validation: out-of-sample calibration of the physical prior, and the engine's model.

Runs rlcoach on every replay in ../shared/replays and takes every shot
(``report["coaching"]["shots"]``). A shot is a touch whose projected flight
reaches the goal mouth or passes within 300 uu of it (``flight`` on_target /
wide), plus every goal's last touch (``flight`` none when the flight did not
predict the goal: bounces, redirects). The "none" shots exist only because
they scored, so they are left out of the calibration (a model cannot be
judged on rows selected by their outcome) and counted separately.

Prints:

1. leave-one-replay-out cross-validation of the prior's three constants
   (bias and slope of the logistic in the defender margin, fitted by maximum
   likelihood on on-target flights; the wide factor, fitted as goals over
   summed logistic on wide flights): for each replay, the constants are
   fitted on the other replays' shots and score the held-out replay's
   shots. Out-of-sample calibration table, Brier score and log loss against
   a base-rate model (the training folds' goal rate), sum of xG vs goals;
2. the constants fitted on every shot (what shots.py should hold) and the
   range of the per-fold fits, next to the constants shots.py holds;
3. the engine's trained threat model (subtr-actor ``get_stats_timeline``
   with ``include_expected_goals=True``; doubles only) on the same shots of
   the 2v2 replays: its team threat just after the shot, scored the same way
   next to the prior's out-of-sample xG on those shots. Engine output is
   cached under --cache (about 4 s per replay otherwise).

    python benchmarks/bench_xg_calibration.py [--cache DIR]
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REPLAYS = ROOT.parent / "shared" / "replays"
BINS = (0.0, 0.05, 0.1, 0.2, 0.4, 0.7, 1.0001)
EPS = 1e-4


def collect() -> list[dict[str, Any]]:
    """One row per shot: replay, goal, flight, margin, time, team, team size, path."""
    from rlcoach.pipeline.single import analyze_file

    rows = []
    for path in sorted(REPLAYS.glob("*.replay")):
        try:
            report = analyze_file(path)
        except Exception as exc:  # one bad replay never hides the others' figures
            print(f"  skipped {path.name}: {str(exc)[:80]}", file=sys.stderr)
            continue
        size = report["replay"]["team_size"]
        for s in report["coaching"]["shots"]:
            rows.append({"replay": path.name, "path": path, "team_size": size,
                         "goal": bool(s["goal"]), "flight": s["flight"],
                         "margin": float(s["margin_s"]), "time": float(s["time"]),
                         "team": s["team"], "xg_report": float(s["xg"])})
    return rows


def logistic_fit(margins: np.ndarray, goals: np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood logistic regression by Newton's method."""
    x = np.column_stack([np.ones_like(margins), margins])
    w = np.zeros(2)
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (goals - p)
        hess = x.T @ (x * (p * (1 - p))[:, None]) + 1e-6 * np.eye(2)
        w += np.linalg.solve(hess, grad)
    return float(w[0]), float(w[1])


def fit(rows: list[dict[str, Any]]) -> tuple[float, float, float]:
    """(bias, slope, wide factor) from shots with a flight."""
    on = [r for r in rows if r["flight"] == "on_target"]
    bias, slope = logistic_fit(np.clip([r["margin"] for r in on], -5, 5),
                               np.array([r["goal"] for r in on], dtype=float))
    wide = [r for r in rows if r["flight"] == "wide"]
    base = sum(predict(r, bias, slope, 1.0) for r in wide)
    factor = min(1.0, sum(r["goal"] for r in wide) / base) if base else 0.0
    return bias, slope, factor


def predict(row: dict[str, Any], bias: float, slope: float, factor: float) -> float:
    from rlcoach.analysis.coaching.shots import xg_value

    return xg_value(row["margin"], row["flight"] != "wide", bias, slope, factor)


def scores(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Brier score and log loss (natural log) of probabilities ``p`` for outcomes ``y``."""
    q = np.clip(p, EPS, 1 - EPS)
    return float(np.mean((p - y) ** 2)), float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def table(p: np.ndarray, y: np.ndarray) -> None:
    print(f"  {'xG bin':>10} {'shots':>6} {'mean xG':>8} {'goal rate':>9}")
    for lo, hi in pairwise(BINS):
        sel = (p >= lo) & (p < hi)
        if sel.any():
            print(f"  {lo:4.2f}-{min(hi, 1):4.2f} {int(sel.sum()):6} {p[sel].mean():8.3f} "
                  f"{y[sel].mean():9.3f}")


def cross_validate(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, list[tuple]]:
    """Out-of-sample xG and base rate per flight shot (rows' order), and each fold's fit."""
    oos, base, fits = np.zeros(len(rows)), np.zeros(len(rows)), []
    for replay in sorted({r["replay"] for r in rows}):
        train = [r for r in rows if r["replay"] != replay]
        f = fit(train)
        fits.append(f)
        rate = float(np.mean([r["goal"] for r in train]))
        for n, r in enumerate(rows):
            if r["replay"] == replay:
                oos[n], base[n] = predict(r, *f), rate
    return oos, base, fits


def report_scores(label: str, p: np.ndarray, y: np.ndarray) -> None:
    brier, loss = scores(p, y)
    print(f"  {label:<34} Brier {brier:.4f}  log loss {loss:.4f}  sum xG {p.sum():6.1f} "
          f"vs {int(y.sum())} goals")


def engine_threat(path: Path, cache: Path) -> dict[str, Any]:
    """The engine's per-frame team threat (2v2 only), cached; {} when unavailable."""
    out = cache / f"{path.name}.xg.pkl"
    if out.exists():
        data: dict[str, Any] = pickle.loads(out.read_bytes())
        return data
    import subtr_actor

    try:
        tl = subtr_actor.get_stats_timeline(str(path), include_expected_goals=True)
    except Exception as exc:  # the engine fails on some replays; say so, go on
        print(f"  engine failed on {path.name}: {str(exc)[:80]}", file=sys.stderr)
        tl = {}
    data = {}
    if tl:
        times = {f["frame_number"]: f["time"] for f in tl["frames"]}
        tracks = tl["expected_goals_tracks"]
        for team in tracks["teams"]:
            pts = [(times[p["frame"]], p["stats"]["current_threat"]) for p in team["points"]
                   if p["frame"] in times and p["stats"]["current_threat"] is not None]
            name = "blue" if team["is_team_0"] else "orange"
            data[name] = np.array(pts) if pts else np.zeros((0, 2))
            data[f"{name}_integral"] = team["points"][-1]["stats"]["xg"] if team["points"] else 0
    out.write_bytes(pickle.dumps(data))
    return data


def engine_section(rows: list[dict[str, Any]], oos: np.ndarray, cache: Path) -> None:
    print("\n3. engine's trained threat model (doubles) on the 2v2 replays' flight shots")
    picked, ours, engine = [], [], []
    integral, goals_2v2 = 0.0, 0
    for replay in sorted({r["replay"] for r in rows if r["team_size"] == 2}):
        mine = [(n, r) for n, r in enumerate(rows) if r["replay"] == replay]
        data = engine_threat(mine[0][1]["path"], cache)
        if not data:
            continue
        integral += data["blue_integral"] + data["orange_integral"]
        goals_2v2 += sum(r["goal"] for _, r in mine)
        for n, r in mine:
            track = data[r["team"]]
            after = track[track[:, 0] > r["time"]] if len(track) else track
            if r["flight"] == "none" or not len(after) or after[0, 0] - r["time"] > 0.5:
                continue  # no live engine value within 0.5 s after the touch
            picked.append(r["goal"])
            ours.append(oos[n])
            engine.append(float(after[0, 1]))
    if not picked:
        print("  engine unavailable on every 2v2 replay")
        return
    y = np.array(picked, dtype=float)
    report_scores("prior, out of sample", np.array(ours), y)
    report_scores("engine threat just after the shot", np.array(engine), y)
    print("  engine calibration:")
    table(np.array(engine), y)
    print(f"  engine full-match team xG integral over these replays: {integral:.1f} "
          f"(their shots include {goals_2v2} goals)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "rlcoach-xg")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("RLCOACH_HOME", tempfile.mkdtemp(prefix="rlcoach-bench-"))
    from rlcoach.analysis.coaching import shots as model

    print(f"machine load: {os.getloadavg()[0]:.2f} (1 min), cpus {os.cpu_count()}")
    every = collect()
    rows = [r for r in every if r["flight"] != "none"]
    unpredicted = [r for r in every if r["flight"] == "none"]
    y = np.array([r["goal"] for r in rows], dtype=float)
    by_flight = {k: [r for r in rows if r["flight"] == k] for k in ("on_target", "wide")}
    print(f"model {model.MODEL}: {len(every)} shots in {len({r['replay'] for r in every})} "
          f"replays, {sum(r['goal'] for r in every)} goals among them")
    for k, v in by_flight.items():
        print(f"  flight {k}: {len(v)} shots, {sum(r['goal'] for r in v)} goals")
    print(f"  flight none (goals the flight did not predict; left out below): "
          f"{len(unpredicted)}")

    oos, base, fits = cross_validate(rows)
    print(f"\n1. leave-one-replay-out ({len(fits)} folds), {len(rows)} flight shots, "
          f"{int(y.sum())} goals")
    table(oos, y)
    report_scores("prior, out of sample", oos, y)
    report_scores("base rate (training folds)", base, y)
    shipped = np.array([r["xg_report"] for r in rows])
    report_scores("prior as shipped (in sample)", shipped, y)

    bias, slope, factor = fit(rows)
    arr = np.array(fits)
    print(f"\n2. fit on every shot: bias {bias:.2f}, slope {slope:.2f}, wide factor {factor:.3f}"
          f"\n  per-fold range: bias {arr[:, 0].min():.2f}..{arr[:, 0].max():.2f}, slope "
          f"{arr[:, 1].min():.2f}..{arr[:, 1].max():.2f}, wide factor "
          f"{arr[:, 2].min():.3f}..{arr[:, 2].max():.3f}"
          f"\n  shots.py holds: bias {model.XG_BIAS}, slope {model.XG_SLOPE}, wide factor "
          f"{model.OFF_TARGET_FACTOR}")
    engine_section(rows, oos, args.cache)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
