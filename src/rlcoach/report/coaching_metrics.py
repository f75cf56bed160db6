"""Per-player coaching metrics (issue 10), declared once like every other stat.

Groups here are optional in the report schema: reports from before 1.2 lack
them. Each group is filled by one analysis in ``rlcoach.analysis.coaching``;
a test fails when a report and these declarations disagree.
"""

from __future__ import annotations

from rlcoach.report.metric import Metric, m

KICKOFF_METRICS: tuple[Metric, ...] = (
    m("kickoffs", "taken", "count", "neutral", "Kickoffs taken",
      "Kickoffs where the player was the team's taker (nearest the ball at the first touch)."),
    m("kickoffs", "won", "count", "higher", "Kickoffs won",
      "Taken kickoffs where the ball was in the opponents' half, beyond 700 uu from halfway, "
      "3 s after the first touch (or the team scored by then)."),
    m("kickoffs", "lost", "count", "lower", "Kickoffs lost",
      "Taken kickoffs won by the other team, by the same rule."),
    m("kickoffs", "win_pct", "%", "higher", "Kickoff win %",
      "Kickoffs won / kickoffs taken x 100 (0 when none were taken)."),
    m("kickoffs", "first_touches", "count", "neutral", "Kickoff first touches",
      "Kickoffs where the player touched the ball first."),
)

COACHING_METRICS: tuple[Metric, ...] = (*KICKOFF_METRICS,)
