"""Boost stats with ballchasing's definitions.

Pad pickups come from the engine's per-row pickup indicator; the pad is the
nearest known pad to the car (its size decides the nominal 100 or 12), and
what the tank actually took is capped by the room left in it. The rest is
overfill. "Stolen" means the pad lies in the opponents' half.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlcoach.analysis import field
from rlcoach.analysis.context import Context

# Tank levels on the 0-100 scale; the replay stores 0-255.
_EMPTY = 100.0 / 255.0 * 0.5
_FULL = 100.0 - 100.0 / 255.0 * 0.5
_PAD_MATCH_RADIUS = 600.0  # farther than this from any pad: judge size by the gain


@dataclass(frozen=True)
class Pickup:
    row: int
    player: int
    big: bool
    stolen: bool
    amount: float  # what the tank took
    overfill: float


def pickups_for(ctx: Context, i: int) -> list[Pickup]:
    pf = ctx.frames.players[i]
    team = ctx.replay.players[i].team
    boost = pf.boost
    out = []
    n = ctx.frames.n
    for row in np.flatnonzero(pf.pickup):
        before = float(boost[row - 1]) if row > 0 else float(boost[row])
        after = float(boost[min(row + 2, n - 1)]) if n else before
        after = max(after, float(boost[row]))
        xy = pf.pos[row, :2]
        d = np.hypot(*(field.ALL_PADS - xy).T)
        k = int(np.argmin(d))
        if d[k] <= _PAD_MATCH_RADIUS:
            big = bool(field.PAD_IS_BIG[k])
            pad_y = float(field.ALL_PADS[k, 1])
        else:
            big = after - before > field.SMALL_PAD_AMOUNT + 1.0
            pad_y = float(xy[1])
        nominal = field.BIG_PAD_AMOUNT if big else field.SMALL_PAD_AMOUNT
        taken = min(nominal, max(0.0, 100.0 - before))
        stolen = pad_y * field.attack_sign(team) > 0
        out.append(Pickup(int(row), i, big, stolen, taken, nominal - taken))
    return out


def boost_stats(ctx: Context, i: int, pickups: list[Pickup]) -> dict[str, float]:
    pf = ctx.frames.players[i]
    mask = ctx.tracked[i]
    dt = ctx.dt * mask
    boost = pf.boost
    tracked_time = float(dt.sum())

    def amount(big: bool | None = None, stolen: bool | None = None) -> float:
        return sum(
            p.amount for p in pickups
            if (big is None or p.big == big) and (stolen is None or p.stolen == stolen)
        )

    def count(big: bool, stolen: bool | None = None) -> int:
        return sum(1 for p in pickups if p.big == big and (stolen is None or p.stolen == stolen))

    collected = amount()
    # Boost spent while already supersonic: tank drops on supersonic rows.
    spent = np.clip(-np.diff(boost, prepend=boost[:1]), 0.0, 34.0)
    supersonic = ctx.speed[i] >= field.SUPERSONIC_SPEED
    bands = {
        "0_25": boost < 25.0, "25_50": (boost >= 25.0) & (boost < 50.0),
        "50_75": (boost >= 50.0) & (boost < 75.0), "75_100": boost >= 75.0,
    }
    band_time = {k: float(dt[v].sum()) for k, v in bands.items()}
    band_total = sum(band_time.values()) or 1.0
    zero = float(dt[boost <= _EMPTY].sum())
    full = float(dt[boost >= _FULL].sum())
    base = ctx.boost_duration or 1.0
    own_base = float((ctx.dt * mask * ~ctx.phases.post_goal).sum()) or 1.0
    stats: dict[str, float] = {
        "bpm": collected / (base / 60.0),
        "bcpm": collected / (own_base / 60.0),
        "avg_amount": float((boost * dt).sum() / tracked_time) if tracked_time else 0.0,
        "amount_collected": collected,
        "amount_stolen": amount(stolen=True),
        "amount_collected_big": amount(big=True),
        "amount_stolen_big": amount(big=True, stolen=True),
        "amount_collected_small": amount(big=False),
        "amount_stolen_small": amount(big=False, stolen=True),
        "count_collected_big": count(True),
        "count_stolen_big": count(True, True),
        "count_collected_small": count(False),
        "count_stolen_small": count(False, True),
        "amount_overfill": sum(p.overfill for p in pickups),
        "amount_overfill_stolen": sum(p.overfill for p in pickups if p.stolen),
        "amount_used_while_supersonic": float(spent[supersonic & mask].sum()),
        "time_zero_boost": zero,
        "percent_zero_boost": 100.0 * zero / base,
        "time_full_boost": full,
        "percent_full_boost": 100.0 * full / base,
    }
    for k, t in band_time.items():
        stats[f"time_boost_{k}"] = t
    for k, t in band_time.items():
        stats[f"percent_boost_{k}"] = 100.0 * t / band_total
    return stats
