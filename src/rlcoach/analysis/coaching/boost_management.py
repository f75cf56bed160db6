"""Boost management: starving, overfilling, and who controls the big pads.

* **Starved**: live rows with the replicated (HUD) level under
  ``STARVED_BELOW`` while the play needs the player: they are their team's
  first man (closest to the ball) or last back. Spells shorter than
  ``MIN_STARVED_S`` are ignored for the moments list (not for the time).
* **Overfill share**: pad boost wasted because the tank was nearly full,
  as a share of the nominal boost of the pads taken (from the pickups the
  boost stats already count).
* **Big-pad control**: the player's share of every big pad taken in the
  match, and the share of their own big pads that were stolen (in the
  opponents' half).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rlcoach.analysis.boost import Pickup, replicated_boost
from rlcoach.analysis.coaching.rotation import ROLE_FIRST, ROLE_NONE
from rlcoach.analysis.context import Context

STARVED_BELOW = 12.0
MIN_STARVED_S = 2.0


@dataclass(frozen=True)
class StarvedSpell:
    row: int
    player: int
    seconds: float


def needed(ctx: Context, i: int, roles: dict[int, NDArray[np.int8]]) -> NDArray[np.bool_]:
    """Live rows where the player is first man or the team's deepest car."""
    team = ctx.team_members(ctx.replay.players[i].team)
    on = roles[i] != ROLE_NONE
    depth = np.vstack([np.where(roles[j] != ROLE_NONE, ctx.y_forward[j], np.inf) for j in team])
    deepest = np.asarray(team)[np.argmin(depth, axis=0)] == i
    return np.asarray(on & ((roles[i] == ROLE_FIRST) | deepest))


def starved(ctx: Context, i: int, roles: dict[int, NDArray[np.int8]]) -> NDArray[np.bool_]:
    held = replicated_boost(ctx.frames.players[i].boost)
    return np.asarray((held < STARVED_BELOW) & needed(ctx, i, roles))


def starved_spells(ctx: Context, i: int, rows: NDArray[np.bool_]) -> list[StarvedSpell]:
    edges = np.diff(np.r_[0, rows.astype(np.int8), 0])
    out = []
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        seconds = float(ctx.dt[a:b].sum())
        if seconds >= MIN_STARVED_S:
            out.append(StarvedSpell(int(a), i, round(seconds, 2)))
    return out


def pad_shares(pickups: list[Pickup], player: int) -> dict[str, float]:
    mine = [p for p in pickups if p.player == player]
    nominal = sum(p.amount + p.overfill for p in mine)
    big_all = sum(1 for p in pickups if p.big)
    big_mine = [p for p in mine if p.big]
    return {
        "percent_overfill": 100.0 * sum(p.overfill for p in mine) / nominal if nominal else 0.0,
        "percent_big_pads": 100.0 * len(big_mine) / big_all if big_all else 0.0,
        "percent_big_pads_stolen": 100.0 * sum(p.stolen for p in big_mine) / len(big_mine)
        if big_mine else 0.0,
    }
