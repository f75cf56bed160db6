"""Movement stats: speed bands, distance, height bands and powerslides."""

from __future__ import annotations

import numpy as np

from rlcoach.analysis import field
from rlcoach.analysis.context import Context

# A car resting on the floor sits at z of about 17. Ballchasing's "ground"
# is the floor only (measured: a z < 20 cut matches its times within about
# 1%); wall driving counts as air below or above the crossbar.
GROUND_Z = 20.0


def on_ground(pos: np.ndarray) -> np.ndarray:
    return pos[:, 2] < GROUND_Z


# Ballchasing's "high air" starts well above the crossbar: fitting its times
# on the reference replays puts the cut at a car height of 825-872 uu.
HIGH_AIR_Z = 840.0
MAX_POWERSLIDE_S = 1.5
# Slide time counts only rows with the car this low (on the floor, not
# sliding up a wall): see docs/parity.md for the per-reference effect.
SLIDE_TIME_Z = 25.0


def powerslide_spans(flags: np.ndarray, time: np.ndarray) -> list[tuple[int, int]]:
    """The engine marks a powerslide's first and last row; pair them up.

    Pairing is greedy on time so one missing mark cannot shift every later
    pair: a mark with no partner within ``MAX_POWERSLIDE_S`` is a one-row slide.
    """
    rows = np.flatnonzero(flags)
    spans, k = [], 0
    while k < len(rows):
        a = int(rows[k])
        if k + 1 < len(rows) and time[rows[k + 1]] - time[a] <= MAX_POWERSLIDE_S:
            spans.append((a, int(rows[k + 1])))
            k += 2
        else:
            spans.append((a, a + 1))
            k += 1
    return spans


def movement_stats(ctx: Context, i: int) -> dict[str, float]:
    pf = ctx.frames.players[i]
    mask = ctx.tracked[i]
    dt = ctx.dt * mask
    total = float(dt.sum()) or 1.0
    speed = ctx.speed[i]
    slow = speed < field.BOOST_SPEED
    supersonic = speed >= field.SUPERSONIC_SPEED
    ground = on_ground(pf.pos)
    high = ~ground & (pf.pos[:, 2] >= HIGH_AIR_Z)
    low = ~ground & ~high
    # Slides in live play only: the engine also marks slides during kickoff
    # countdowns and after goals, which ballchasing leaves out (measured:
    # count within +-1 for 10/16 reference players, 9/16 over all tracked
    # rows; time 13/16, was 11/16).
    z = pf.pos[:, 2]
    spans = powerslide_spans(pf.powerslide & mask & ctx.phases.live, ctx.frames.time)
    slide_dt = ctx.dt * (z <= SLIDE_TIME_Z)
    slide_time = float(sum(slide_dt[a:b].sum() for a, b in spans))
    starts = len(spans)
    t = {
        "slow": float(dt[slow].sum()), "boost": float(dt[~slow & ~supersonic].sum()),
        "supersonic": float(dt[supersonic].sum()), "ground": float(dt[ground].sum()),
        "low_air": float(dt[low].sum()), "high_air": float(dt[high].sum()),
    }
    # Average speed over live play: countdowns would drag it towards zero.
    live_dt = dt * ctx.phases.live
    avg_speed = float((speed * live_dt).sum() / live_dt.sum()) if live_dt.sum() else 0.0
    return {
        "avg_speed": avg_speed,
        "total_distance": float((speed * dt).sum()),
        "time_supersonic_speed": t["supersonic"],
        "time_boost_speed": t["boost"],
        "time_slow_speed": t["slow"],
        "time_ground": t["ground"],
        "time_low_air": t["low_air"],
        "time_high_air": t["high_air"],
        "time_powerslide": slide_time,
        "count_powerslide": starts,
        # Ballchasing rounds its average to 2 decimals (every reference JSON).
        "avg_powerslide_duration": round(slide_time / starts, 2) if starts else 0.0,
        "avg_speed_percentage": 100.0 * avg_speed / field.MAX_CAR_SPEED,
        "percent_slow_speed": 100.0 * t["slow"] / total,
        "percent_boost_speed": 100.0 * t["boost"] / total,
        "percent_supersonic_speed": 100.0 * t["supersonic"] / total,
        "percent_ground": 100.0 * t["ground"] / total,
        "percent_low_air": 100.0 * t["low_air"] / total,
        "percent_high_air": 100.0 * t["high_air"] / total,
    }
