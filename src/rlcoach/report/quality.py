"""The report's ``quality`` section: what the numbers can and can't be trusted for.

We say so when data is thin instead of silently reporting zeros: old replay
formats without network data, replays where players joined or left, players
tracked for only part of the match, goals we could not place on the clock.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rlcoach.analysis.context import Context
from rlcoach.analysis.kickoffs import kickoffs_missing
from rlcoach.replay.types import ReplayData

# Degraded: the report's stats should not be compared with normal games.
_DEGRADING = {"no-network-data", "no-game-state", "low-coverage", "no-players",
              "no-boost-pickups", "no-ball"}


def quality_section(replay: ReplayData, ctx: Context) -> dict[str, Any]:
    warnings: list[dict[str, str]] = [
        {"code": code, "message": message} for code, message in replay.warnings
    ]
    if replay.network_version is None:
        warnings.append({
            "code": "no-network-data",
            "message": "pre-2017 replay format without a network version: positions are "
                       "decoded with legacy rules, stats may be less accurate",
        })
    if not ctx.phases.known:
        warnings.append({
            "code": "no-game-state",
            "message": "the replay does not record game phases: kickoffs and possession "
                       "are approximate",
        })
    elif (missing := kickoffs_missing(ctx)):
        warnings.append({
            "code": "kickoffs-missing",
            "message": f"{missing} kickoff(s) (at the start or after a goal) are not in the "
                       "replay's game phases: kickoff stats cover the others",
        })
    n = max(ctx.frames.n, 1)
    coverage = {
        p.key: round(float(np.count_nonzero(pf.present)) / n, 4)
        for p, pf in zip(replay.players, ctx.frames.players, strict=True)
    }
    low = [k for k, v in coverage.items() if v < 0.8]
    if low:
        warnings.append({
            "code": "low-coverage",
            "message": f"tracked for under 80% of the match: {', '.join(low)}",
        })
    if not replay.players:
        warnings.append({"code": "no-players", "message": "no players in the replay"})
    goals = ctx.goals
    if goals and any(g.row is None for g in goals):
        warnings.append({
            "code": "goals-unplaced",
            "message": "some goals could not be placed on the match clock",
        })
    if ctx.frames.players and not any(pf.pickup.any() for pf in ctx.frames.players):
        warnings.append({
            "code": "no-boost-pickups",
            "message": "no boost pad pickups in the replay: collected-boost stats are 0",
        })
    if ctx.frames.n and not np.any(ctx.frames.ball_pos != 0.0):
        warnings.append({
            "code": "no-ball",
            "message": "the ball is never tracked in this replay's frames: touches, "
                       "possession, shots and ball-relative positioning are missing",
        })
    if ctx.frames.non_finite:
        warnings.append({
            "code": "non-finite-values",
            "message": f"{ctx.frames.non_finite} values in the replay's frames were not "
                       "numbers (NaN or infinite) and were read as missing",
        })
    if any(p.scoreboard is None for p in replay.players if not p.is_bot):
        warnings.append({
            "code": "no-scoreboard",
            "message": "the header has no scoreboard for some players: core stats are 0",
        })
    return {
        "degraded": any(w["code"] in _DEGRADING for w in warnings),
        "warnings": warnings,
        "player_coverage": coverage,
    }
