"""docs/metrics.md, generated from the metric registry.

The registry is the truth for what each metric means (its definitions are
built from the constants the analysis code uses), so the page is rendered
from it and a test fails when the committed page is stale:

    python -m rlcoach.report.metrics_doc > docs/metrics.md   (or: make docs)
"""

from __future__ import annotations

from rlcoach.report.metric import Metric
from rlcoach.report.registry import ALL_GROUPS, TEAM_BALL_METRICS, metrics_in

_TITLES = {"core": "Core (replay header scoreboard)", "boost": "Boost", "movement": "Movement",
           "positioning": "Positioning", "demo": "Demolitions"}


def _rows(metrics: tuple[Metric, ...]) -> list[str]:
    out = ["| key | label | unit | better | definition |", "|---|---|---|---|---|"]
    for m in metrics:
        cells = (f"`{m.key}`", m.label, m.unit, m.direction, m.definition)
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return out


def render_metrics_doc() -> str:
    lines = [
        "# Metrics",
        "",
        "<!-- Generated from rlcoach.report.registry by `make docs`; do not edit by hand. -->",
        "",
        "Every per-player stat in a report, with the unit, which direction is better",
        "and what the code computes. Keys, groups and units follow ballchasing.com;",
        "docs/parity.md says how closely each matches ballchasing's numbers.",
    ]
    for group in ALL_GROUPS:
        lines += ["", f"## {_TITLES.get(group, group.replace('_', ' ').capitalize())}", "",
                  *_rows(metrics_in(group))]
    lines += ["", "## Team ball stats", "", *_rows(TEAM_BALL_METRICS), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_metrics_doc(), end="")
