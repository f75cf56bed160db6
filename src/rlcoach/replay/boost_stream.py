"""Each player's replicated boost changes, read from the raw network stream.

The engine's boost column is its own simulation between replicated updates
(a fractional drain while a car boosts, pickups added to it) and does not
always take the value the game sent: where the stream says 245 it can hold
241.98. Ballchasing's boost bands follow the values the game replicated
(docs/parity.md, rule 9), so we read them here from the parsed network
frames (``subtr_actor.parse_replay``, called by ``engine``): every
``TAGame.CarComponent_Boost_TA:ReplicatedBoost`` update, attributed through
component -> car (``CarComponent_TA:Vehicle``) -> player
(``Pawn:PlayerReplicationInfo``) -> name (``PlayerReplicationInfo:PlayerName``),
kept where the level changes.

Pure Python over the parsed dict: no engine import here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

_RAW_MAX = 255.0
_BOOST = "TAGame.CarComponent_Boost_TA:ReplicatedBoost"
_VEHICLE = "TAGame.CarComponent_TA:Vehicle"
_PAWN_PRI = "Engine.Pawn:PlayerReplicationInfo"
_NAME = "Engine.PlayerReplicationInfo:PlayerName"


def boost_changes(parsed: dict[str, Any], names: list[str]) -> list[NDArray[np.float64] | None]:
    """Per player (in ``names`` order): an (k, 2) array of (time, level 0-100)
    at each change of the replicated level, or None when the stream has none
    for that name (older replays replicate ``ReplicatedBoostAmount`` instead)."""
    objects = parsed["objects"]
    comp_car: dict[int, int] = {}
    car_pri: dict[int, int] = {}
    pri_name: dict[int, str] = {}
    series: dict[str, list[tuple[float, float]]] = {}
    for frame in parsed["network_frames"]["frames"]:
        for actor in frame["deleted_actors"]:
            comp_car.pop(actor, None)
            car_pri.pop(actor, None)
        for new in frame["new_actors"]:
            comp_car.pop(new["actor_id"], None)
            car_pri.pop(new["actor_id"], None)
        updates = [(objects[u["object_id"]], u["actor_id"], u["attribute"])
                   for u in frame["updated_actors"]]
        for key, actor, attr in updates:
            if key == _NAME and "String" in attr:
                pri_name[actor] = attr["String"]
            elif key == _PAWN_PRI and "ActiveActor" in attr:
                car_pri[actor] = attr["ActiveActor"]["actor"]
            elif key == _VEHICLE and "ActiveActor" in attr:
                comp_car[actor] = attr["ActiveActor"]["actor"]
        for key, actor, attr in updates:
            if key != _BOOST or "ReplicatedBoost" not in attr:
                continue
            name = pri_name.get(car_pri.get(comp_car.get(actor, -1), -1), "")
            level = 100.0 * attr["ReplicatedBoost"]["boost_amount"] / _RAW_MAX
            points = series.setdefault(name, [])
            if not points or points[-1][1] != level:
                points.append((float(frame["time"]), level))
    return [np.asarray(series[n], dtype=np.float64) if series.get(n) else None for n in names]
