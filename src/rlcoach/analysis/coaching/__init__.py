"""Coaching analyses (issue 10): what a coach looks at, from the frames we have.

``run_coaching(ctx)`` runs every function in ``ANALYSES`` over the shared
analysis context and merges their parts: ``section`` becomes
``report["coaching"]`` and ``player_stats`` (metric group -> one dict per
player) joins each player's stats, through the metric registry
(``rlcoach.report.coaching_metrics``).

To add an analysis: write a pure ``analyse(ctx) -> Part`` in this package,
append it to ``ANALYSES``, declare its per-player metrics in the registry.
The engine's own event detectors (``get_stats_events``) are not called here:
they would cost a third to a whole ``get_summed_stats`` per replay; instead
``benchmarks/bench_coaching_agreement.py`` compares our events with theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rlcoach.analysis.coaching import duels, kickoffs, mechanics, possession, shots, teamplay
from rlcoach.analysis.coaching.base import Analysis, Part, PlayerValues
from rlcoach.analysis.context import Context

ANALYSES: tuple[Analysis, ...] = (
    kickoffs.analyse,
    duels.analyse,
    shots.analyse,
    possession.analyse,
    mechanics.analyse,
    teamplay.analyse,
)


@dataclass
class Coaching:
    section: dict[str, Any] = field(default_factory=dict)
    # one dict per player: metric group -> metric key -> value
    player_stats: list[dict[str, PlayerValues]] = field(default_factory=list)


def run_coaching(ctx: Context, analyses: tuple[Analysis, ...] = ANALYSES) -> Coaching:
    out = Coaching(player_stats=[{} for _ in ctx.replay.players])
    for analyse in analyses:
        part = analyse(ctx)
        out.section.update(part.sections)
        for group, values in part.player_stats.items():
            for i, v in enumerate(values):
                out.player_stats[i][group] = v
    return out


def build_coaching(ctx: Context) -> dict[str, Any]:
    """``report["coaching"]`` for one replay."""
    return run_coaching(ctx).section


__all__ = ["ANALYSES", "Coaching", "Part", "build_coaching", "run_coaching"]
