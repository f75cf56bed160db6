"""The replicated boost changes read from the raw network stream
(``replay.boost_stream``), on a real 2v2 replay."""

from __future__ import annotations

import numpy as np
import pytest
from tests.conftest import REPLAYS

from rlcoach.replay.engine import load_replay

DOUBLES = REPLAYS / "recent-ranked-doubles-2026-03-10.replay"


@pytest.fixture(scope="module")
def replay():
    if not DOUBLES.exists():
        pytest.skip("reference replay not available")
    return load_replay(DOUBLES)


def test_every_player_has_replicated_changes(replay) -> None:
    changes = replay.boost_changes
    assert changes is not None and len(changes) == len(replay.players) == 4
    for series in changes:
        assert series is not None and series.shape[1] == 2 and len(series) > 100
        times, levels = series[:, 0], series[:, 1]
        assert np.all(np.diff(times) >= 0)
        assert np.all(np.diff(levels) != 0)  # changes only
        raw = levels * 2.55
        assert np.allclose(raw, np.round(raw), atol=1e-6)  # whole replicated units
        assert levels.min() >= 0 and levels.max() <= 100
        assert levels[0] == pytest.approx(100 * 85 / 255)  # the kickoff amount


def test_changes_lie_within_the_recording(replay) -> None:
    time = replay.frames.time
    for series in replay.boost_changes:
        assert time[0] - 1e-6 <= series[0, 0] and series[-1, 0] <= time[-1] + 1e-6
