"""Boost stats with ballchasing's definitions.

Pad pickups come from the engine's per-row pickup indicator; the pad is the
nearest known pad to the car (its size decides the nominal 100 or 12), and
what the tank actually took is capped by the room left in it. The rest is
overfill. "Stolen" means the pad lies in the opponents' half.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlcoach.analysis import field, movement
from rlcoach.analysis.context import Context

# Tank levels on the 0-100 scale; the replay stores 0-255.
# Half a raw step (of 255) from either end counts as empty / full.
EMPTY_LEVEL = 100.0 / 255.0 * 0.5
FULL_LEVEL = 100.0 - 100.0 / 255.0 * 0.5
_PAD_MATCH_RADIUS = 600.0  # farther than this from any pad: judge size by the gain
_RAW_PER_UNIT = 255.0 / 100.0
# Replicated boost is a whole number of raw units (0-255); the engine fills
# the rows between two replicated updates while boosting with simulated,
# fractional values. Anything within this of an integer is replicated.
_INTEGER_EPS = 1e-3
# A pad that fills the tank while the car boosts shows on its row as the
# engine's simulated level, already drained by that row (98.8-98.9: one
# 30 Hz row at 33.3/s) where the stream's update says 255. A simulated
# (fractional) level at or above this counts as full; a replicated
# (whole-unit) one must be full. Just under two rows' drain (rule 8).
_FULL_WHILE_BOOSTING = 98.0


def replicated_boost(boost: np.ndarray) -> np.ndarray:
    """The last replicated tank level on each row (0-100), held between updates.

    Ballchasing reads only replicated values: the level it sees stays at the
    last update while a car boosts and drops when the next update arrives.
    Measured on the 4 reference replays: time at 100 from the held level is
    within tolerance for 10 of 15 players, from the simulated level for none
    (the simulation drains the tank the moment boosting starts).
    """
    return boost[_last_update(boost)]


def _updates(boost: np.ndarray) -> np.ndarray:
    """Rows that carry a replicated boost value (whole raw units)."""
    raw = boost * _RAW_PER_UNIT
    known = np.abs(raw - np.round(raw)) < _INTEGER_EPS
    if len(known):
        known[0] = known[-1] = True
    return known


def _last_update(boost: np.ndarray) -> np.ndarray:
    """Index of the latest replicated row at or before each row."""
    known = _updates(boost)
    idx = np.where(known, np.arange(len(boost)), 0)
    return np.maximum.accumulate(idx)


def _boost_used(ctx: Context, i: int, held: np.ndarray, collected: float) -> float:
    """Boost consumed: what the car collected less what its tank gained.

    Ballchasing's bpm is boost *used* per minute (its bcpm is collected).
    Counting by conservation (collected from pads minus the net change of
    the replicated level over consecutive tracked rows, so kickoff and
    respawn refills are left out) puts bpm within tolerance for 13/16
    reference players; summing every drop of the replicated level, 12/16;
    the simulated level's drops overshoot by 3-12%.
    """
    tracked = ctx.tracked[i]
    steps = np.diff(held, prepend=held[:1])
    kept = tracked & np.r_[False, tracked[:-1]] & ~ctx.phases.countdown
    return max(collected - float(steps[kept].sum()), 0.0)


def _used_while_supersonic(ctx: Context, i: int, held: np.ndarray) -> float:
    """Drops of the replicated level that arrive while the car is supersonic on the floor.

    Ballchasing books a replicated decrease against the car's state on the
    row the update lands on, and only on the ground (movement's floor cut).
    With the stream's changes (``ReplayData.boost_changes``): within
    tolerance for 24/24 JSON reference players (rule 10). From our held
    level's drops instead (the fallback): 10/16 on the first four
    references; 2/16 from the simulated level's drops on every supersonic
    row, 0/16 from the held level's drops on every supersonic row.
    """
    pf = ctx.frames.players[i]
    on = (
        (ctx.speed[i] >= field.SUPERSONIC_SPEED)
        & movement.on_ground(pf.pos)
        & ctx.tracked[i]
        & ~ctx.phases.countdown
    )
    changes = ctx.replay.boost_changes[i] if ctx.replay.boost_changes else None
    if changes is None or len(changes) < 2:
        drop = np.clip(-np.diff(held, prepend=held[:1]), 0.0, None)
        return float(drop[on].sum())
    rows = np.searchsorted(ctx.frames.time, changes[1:, 0], side="right") - 1
    drops = np.clip(changes[:-1, 1] - changes[1:, 1], 0.0, None)
    inside = rows >= 0
    return float(drops[inside][on[rows[inside]]].sum())


def _unreplicated(ctx: Context, i: int) -> np.ndarray:
    """Rows from each (re)spawn until the tank level first changes.

    A fresh car starts with the kickoff/respawn amount, which the replay
    only confirms once the level moves (the first boost or pickup); the
    band times leave those rows out (see ``boost_stats``).
    """
    pf = ctx.frames.players[i]
    n = ctx.frames.n
    cd = ctx.phases.countdown
    dead = pf.present & ~ctx.tracked[i]
    spawn = (cd & ~np.r_[False, cd[:-1]]) | (~dead & np.r_[False, dead[:-1]])
    changed = np.r_[False, np.abs(np.diff(pf.boost)) > 1e-6]
    out = np.zeros(n, dtype=bool)
    for s in np.flatnonzero(spawn):
        nz = np.flatnonzero(changed[s + 1 :])
        out[s : s + 1 + int(nz[0]) if len(nz) else n] = True
    return out


def _band_series(ctx: Context, i: int, held: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(level, row weights) for the boost bands (docs/parity.md, rule 9).

    Ballchasing books the time up to each change of the replicated level in
    the band of the level that change brings (the stretch before an update
    is counted at the updated value), over tracked rows, leaving out the
    post-goal rows after the player's last change there (no change follows
    to book them). With the stream's changes (``ReplayData.boost_changes``)
    this puts 172/192 reference band values within tolerance (60/192 from
    the held level). Without them: the held level over tracked rows less
    those before the first change after each (re)spawn.
    """
    changes = ctx.replay.boost_changes[i] if ctx.replay.boost_changes else None
    tracked = ctx.tracked[i]
    if changes is None or not len(changes):
        return held, ctx.dt * tracked * ~_unreplicated(ctx, i)
    time, times, levels = ctx.frames.time, changes[:, 0], changes[:, 1]
    level = levels[np.minimum(np.searchsorted(times, time, side="right"), len(levels) - 1)]
    post_goal = ctx.phases.post_goal
    booked = ~post_goal
    edges = np.diff(np.r_[0, post_goal.astype(np.int8), 0])
    for a, z in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        end = time[z - 1] + ctx.dt[z - 1]
        inside = times[(times >= time[a]) & (times <= end)]
        if len(inside):
            booked[a:z] = time[a:z] < inside[-1]
    return level, ctx.dt * (tracked & booked)


@dataclass(frozen=True)
class Pickup:
    row: int
    player: int
    big: bool
    stolen: bool
    amount: float  # what the tank took
    overfill: float


def pickups_for(ctx: Context, i: int) -> list[Pickup]:
    """Pad pickups as ballchasing books them, judged on the replicated level.

    Every pickup makes the game send the car's replicated boost at once (its
    grant counter advances on that update). Ballchasing books a pickup only
    when that update shows a gain over the last replicated level: its
    big + small counts equal the number of such updates within 0 to -2 for
    all 20 reference players whose stream carries the counter
    (docs/parity.md, rule 7). On our rows that update is the pickup row.

    - A pad driven over with the tank already full gives no gain: neither the
      pad nor overfill counts.
    - A pad taken while boosting whose update is not above the last
      replicated level (the burst drained more than the pad gave) is not
      booked at all.
    - A small pad's amount is the gain shown, at most 12; a big pad's is the
      room left in the tank.
    - Overfill is booked only when the pickup's update shows the tank full:
      the pad's nominal amount less the room (rule 8; overfill within
      tolerance for 20/28 players, 17/28 booking it on every pickup).
    """
    pf = ctx.frames.players[i]
    team = ctx.replay.players[i].team
    boost = pf.boost
    out = []
    n = ctx.frames.n
    last = _last_update(boost)
    replicated = _updates(boost)
    for row in np.flatnonzero(pf.pickup):
        rep_before = float(boost[last[max(int(row) - 1, 0)]])
        level = float(boost[row])
        gain = level - rep_before
        if rep_before >= FULL_LEVEL or gain <= 0.0:
            continue
        big, pad_y = _pad_at(boost, pf.pos, int(row), n)
        nominal = field.BIG_PAD_AMOUNT if big else field.SMALL_PAD_AMOUNT
        room = min(nominal, max(0.0, 100.0 - rep_before))
        taken = room if big else min(nominal, gain)
        full = level >= FULL_LEVEL or (not replicated[row] and level >= _FULL_WHILE_BOOSTING)
        stolen = pad_y * field.attack_sign(team) > 0
        out.append(Pickup(int(row), i, big, stolen, taken, nominal - room if full else 0.0))
    return out


def _pad_at(boost: np.ndarray, pos: np.ndarray, row: int, n: int) -> tuple[bool, float]:
    """(big, pad y) of the pad picked up on ``row``: the nearest known pad, or
    judged by the simulated gain when the car is far from every pad."""
    xy = pos[row, :2]
    d = np.hypot(*(field.ALL_PADS - xy).T)
    k = int(np.argmin(d))
    if d[k] <= _PAD_MATCH_RADIUS:
        return bool(field.PAD_IS_BIG[k]), float(field.ALL_PADS[k, 1])
    before = float(boost[row - 1]) if row > 0 else float(boost[row])
    after = max(float(boost[min(row + 2, n - 1)]), float(boost[row]))
    return after - before > field.SMALL_PAD_AMOUNT + 1.0, float(xy[1])


def boost_stats(ctx: Context, i: int, pickups: list[Pickup]) -> dict[str, float]:
    pf = ctx.frames.players[i]
    mask = ctx.tracked[i]
    dt = ctx.dt * mask
    boost = pf.boost

    def amount(big: bool | None = None, stolen: bool | None = None) -> float:
        return sum(
            p.amount for p in pickups
            if (big is None or p.big == big) and (stolen is None or p.stolen == stolen)
        )

    def count(big: bool, stolen: bool | None = None) -> int:
        return sum(1 for p in pickups if p.big == big and (stolen is None or p.stolen == stolen))

    collected = amount()
    held = replicated_boost(boost)
    used = _boost_used(ctx, i, held, collected)
    # Zero and full time are counted in play only, like the percent base
    # (match time less post-goal): measured, zero time is within tolerance
    # for 14/16 players this way and 9/16 over all tracked rows.
    play_dt = dt * ~ctx.phases.post_goal
    level, bdt = _band_series(ctx, i, held)
    bands = {
        "0_25": level < 25.0, "25_50": (level >= 25.0) & (level < 50.0),
        "50_75": (level >= 50.0) & (level < 75.0), "75_100": level >= 75.0,
    }
    band_time = {k: float(bdt[v].sum()) for k, v in bands.items()}
    band_total = sum(band_time.values()) or 1.0
    zero = float(play_dt[boost <= EMPTY_LEVEL].sum())
    # Full: the held level, so a car boosting from 100 stays full until
    # the next update (time_full within tolerance 10/16, was 1/16).
    full = float(play_dt[held >= FULL_LEVEL].sum())
    pbase = ctx.percent_base or 1.0  # ballchasing's share base (Context.percent_base)
    own_base = float((ctx.dt * mask * ~ctx.phases.post_goal).sum()) or 1.0
    stats: dict[str, float] = {
        "bpm": used / (pbase / 60.0),
        "bcpm": collected / (own_base / 60.0),
        # Over play time like zero/full time (13/16 players within tolerance;
        # 11/16 over all tracked rows, 10/16 over live play only).
        "avg_amount": float((held * play_dt).sum() / play_dt.sum()) if play_dt.sum() else 0.0,
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
        "amount_used_while_supersonic": _used_while_supersonic(ctx, i, held),
        "time_zero_boost": zero,
        "percent_zero_boost": 100.0 * zero / pbase,
        "time_full_boost": full,
        "percent_full_boost": 100.0 * full / pbase,
    }
    for k, t in band_time.items():
        stats[f"time_boost_{k}"] = t
    for k, t in band_time.items():
        stats[f"percent_boost_{k}"] = 100.0 * t / band_total
    return stats
