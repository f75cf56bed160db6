"""Ballchasing parity: our reports against ballchasing's published stats.

Analyzes every replay in ../shared/replays that has a reference in
../shared/ballchasing (API JSON ``<stem>.json``, or the CSV export
``<stem>.players.csv``) and prints a per-field table (hits / compared, worst
miss) and the overall share of (player, field) values within tolerance.

    python benchmarks/parity.py [--misses]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def references(shared: Path = SHARED) -> list[tuple[Path, list]]:
    from rlcoach.report.parity import players_from_csv, players_from_json

    out = []
    for ref in sorted((shared / "ballchasing").glob("*")):
        if ref.name.endswith(".players.csv"):
            stem = ref.name[: -len(".players.csv")]
            players = players_from_csv(ref.read_text(encoding="utf-8"))
        elif ref.suffix == ".json":
            stem = ref.stem
            players = players_from_json(json.loads(ref.read_text(encoding="utf-8")))
        else:
            continue
        replay = shared / "replays" / f"{stem}.replay"
        if replay.exists():
            out.append((replay, players))
    return out


def main() -> int:
    from rlcoach.pipeline.single import analyze_file
    from rlcoach.report.parity import Summary, compare

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--misses", action="store_true", help="list every miss")
    args = ap.parse_args()
    summary = Summary()
    per_replay = []
    for replay, players in references():
        one = Summary()
        one.checks += compare(analyze_file(replay), players, replay.stem)
        per_replay.append((replay.stem, one))
        summary.checks += one.checks
    if not summary.n:
        print(f"no references found under {SHARED}", file=sys.stderr)
        return 2
    print(f"{'field':50} {'hits':>4}/{'n':<4} worst miss (ours vs ballchasing, player)")
    for name, row in sorted(summary.by_field.items(), key=lambda kv: (kv[1].rate, kv[0])):
        w = row.worst
        worst = f"{w[0]:.2f} vs {w[1]:.2f} ({w[2]})" if w else ""
        print(f"{name:50} {row.hits:4d}/{row.n:<4d} {worst}")
    print()
    for stem, one in per_replay:
        print(f"{stem:50} {one.hits:4d}/{one.n:<4d} = {100 * one.rate:.1f}%")
    print(f"\noverall: {summary.hits}/{summary.n} = {100 * summary.rate:.1f}% within tolerance")
    if args.misses:
        for c in summary.checks:
            if not c.ok:
                print(f"  {c.replay} {c.player} {c.field}: ours {c.ours} vs {c.theirs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
