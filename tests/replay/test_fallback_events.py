"""The per-frame fallback's event columns on long replays (past int16 frame counts)."""

from __future__ import annotations

import numpy as np

from rlcoach.replay.frames_fallback import _apply_events, _id_key
from rlcoach.replay.types import UNKNOWN_ATTACKER, PlayerFrames, PlayerInfo


def _player(n: int) -> PlayerFrames:
    return PlayerFrames(pos=np.zeros((n, 3)), vel=np.zeros((n, 3)), boost=np.zeros(n),
                        present=np.ones(n, dtype=bool),
                        demolished_by=np.full(n, -1, dtype=np.int16),
                        touch=np.zeros(n, dtype=bool), pickup=np.zeros(n, dtype=bool),
                        dodge=np.zeros(n, dtype=bool), powerslide=np.zeros(n, dtype=bool))


def test_a_demolition_without_attacker_survives_40000_frames() -> None:
    n = 40_000  # a long replay at the network rate: more rows than int16 holds
    time = np.arange(n) / 30.0
    cols = [_player(n), _player(n)]
    infos = [PlayerInfo("a", 0, "steam", "1"), PlayerInfo("b", 1, "steam", "2")]
    a, b, stranger = {"Steam": "1"}, {"Steam": "2"}, {"Steam": "3"}
    index = {_id_key(a): 0, _id_key(b): 1}
    data = {"demolish_infos": [
        {"victim": a, "attacker": stranger, "frame": 35_000},
        {"victim": b, "attacker": a, "frame": 36_000},
    ]}
    _apply_events(data, cols, infos, index, time)
    dead = cols[0].demolished
    assert dead[35_000] and dead[35_000 + 89] and not dead[35_000 + 90]
    assert int(cols[0].demolished_by[35_000]) == UNKNOWN_ATTACKER
    assert int(cols[1].demolished_by[36_000]) == 0
