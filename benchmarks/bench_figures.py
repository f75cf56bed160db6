"""What the figures cost on top of ``report-md``, per replay, in one run.

For each replay: the time to analyze it and write its JSON and plain
dossier (what ``report-md`` did before figures), then the extra time to
draw the figures and write them beside the dossier, and the HTML page's
size. Times are CPU time of this process (``time.process_time``), so a busy
machine does not inflate them; the machine's load is printed anyway.
Target (issue 14): figures add under 10% per replay; HTML under 1.5 MB for
a 10-minute 3v3.

    python benchmarks/bench_figures.py [replay ...]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPLAYS = ROOT.parent / "shared" / "replays"
DEFAULT = ["post-eac-ranked-duel-2026-04-28-a", "recent-ranked-doubles-2026-03-10",
           "recent-ranked-standard-2026-03-10-a", "rlcs-2025-worlds-grand-final-flcn-nrg-g5"]


def measure(path: Path, out: Path) -> tuple[float, float, int, float]:
    from rlcoach.pipeline.single import analyze_file
    from rlcoach.report.figures import build_figures
    from rlcoach.report.html import render_html
    from rlcoach.report.markdown import render_markdown

    start = time.process_time()
    report = analyze_file(path)
    (out / "r.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (out / "r.md").write_text(render_markdown(report), encoding="utf-8")
    base = time.process_time() - start
    start = time.process_time()
    figures = build_figures(report)
    for f in figures:
        (out / f"{f.name}.svg").write_text(f.svg, encoding="utf-8")
    (out / "r.md").write_text(render_markdown(report, [(f"{f.name}.svg", f.alt) for f in figures]),
                              encoding="utf-8")
    extra = time.process_time() - start
    page = render_html(report, figures).encode("utf-8")
    return base, extra, len(page), float(report["replay"]["duration"])


def main(argv: list[str]) -> int:
    names = argv or DEFAULT
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f} on {os.cpu_count()} cores")
    print(f"{'replay':46} {'length':>7} {'report-md':>9} {'figures':>8} {'added':>6} {'html':>8}")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            path = Path(name) if name.endswith(".replay") else REPLAYS / f"{name}.replay"
            base, extra, size, length = measure(path, Path(tmp))
            worst = max(worst, extra / base)
            print(f"{path.stem[:46]:46} {length / 60:6.1f}m {base:8.2f}s {extra:7.3f}s "
                  f"{extra / base:6.1%} {size / 1e6:6.2f}MB")
    print(f"worst added share {worst:.1%} (target < 10%)")
    return 0 if worst < 0.10 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
