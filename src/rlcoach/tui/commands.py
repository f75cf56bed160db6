"""Command palette providers beyond the app's system commands.

``MetricCommands`` puts every registry metric in the palette as "Chart
<label>": typing part of a metric's name and Enter opens Trends with that
metric charted, which is quicker than scrolling the metric list.
``RankCommands`` offers "Target rank: <tier>" for every ladder tier of the
rank means (the choice is written to rlcoach.toml). Pure registry and rank
data: nothing here reads the library.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import Hit, Hits, Provider

from rlcoach.report.registry import METRICS
from rlcoach.tui.ranks import load_rank_means

if TYPE_CHECKING:
    from rlcoach.tui.app import DashboardApp


class MetricCommands(Provider):
    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        app: DashboardApp = self.app  # type: ignore[assignment]
        for m in METRICS:
            if m.unit == "bool":
                continue  # a yes/no per game makes no trend line
            text = f"Chart {m.label} ({m.qualified})"
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(app.chart_metric, m.qualified),
                          help=m.definition)


class RankCommands(Provider):
    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        app: DashboardApp = self.app  # type: ignore[assignment]
        for tier in target_tiers():
            text = f"Target rank: {tier}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(app.set_target_rank, tier),
                          help="Compare, Trends and Home's focus areas quote this rank's means")


def target_tiers() -> list[str]:
    """Ladder tiers a player can aim for, in rank order (pros are not a rank)."""
    return [name for tier, name in load_rank_means().tiers.items() if tier != 999]
