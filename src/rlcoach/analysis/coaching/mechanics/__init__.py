"""Mechanics, each with a heuristic confidence in [0, 1] (not a probability).

Every rule reads the car's position, velocity and axes (from the engine's
rotation angles), the engine's per-row dodge and touch flags and the ball,
and follows the engine's own detector where it publishes one (subtr-actor
``src/stats/calculators``), so the two can be compared
(``benchmarks/bench_coaching_agreement.py``; docs/coaching.md).

- ``dodges``: speed_flip, half_flip, wavedash (one kind per dodge).
- ``touches``: flip_reset, ceiling_shot, air_dribble, double_tap, flick.
"""

from __future__ import annotations

from rlcoach.analysis.coaching.base import Part
from rlcoach.analysis.coaching.mechanics.common import airborne
from rlcoach.analysis.coaching.mechanics.dodges import dodge_mechanics, dodge_starts
from rlcoach.analysis.coaching.mechanics.touches import touch_mechanics
from rlcoach.analysis.context import Context

__all__ = ["KINDS", "airborne", "analyse", "dodge_mechanics", "dodge_starts", "touch_mechanics"]

KINDS = ("speed_flip", "wavedash", "half_flip", "flip_reset", "ceiling_shot", "air_dribble",
         "double_tap", "flick")


def analyse(ctx: Context) -> Part:
    events = touch_mechanics(ctx)
    for i in range(len(ctx.replay.players)):
        events.extend(dodge_mechanics(ctx, i))
    events.sort(key=lambda e: (e["time"], e["player"] or ""))
    keys = [p.key for p in ctx.replay.players]
    stats: list[dict[str, float | int | None]] = [{k: 0 for k in KINDS} for _ in keys]
    for e in events:
        s = stats[keys.index(e["player"])]
        s[e["kind"]] = int(s[e["kind"]] or 0) + 1
    return Part(sections={"mechanics": events}, player_stats={"mechanics": stats})
