"""Engine failures map to a stable kind: the messages are subtr-actor's own
(``ReplayProcessorError`` and boxcars' parse errors), as raised on real replays."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlcoach.errors import CorruptReplayError, ReplayError, UnsupportedReplayError
from rlcoach.replay.engine import classify

CASES = [
    ("Couldn't find object id for Archetypes.Car.Car_Default", UnsupportedReplayError),
    ("ReplayProcessorError: Couldn't find object id for Archetypes.Ball.Ball_Default",
     UnsupportedReplayError),
    ('"PlayerReplicationInfo" actor for player Steam(1) not found', UnsupportedReplayError),
    ("There was no actor state for actor_id: ActorId(12)", UnsupportedReplayError),
    ("Ball actor not found", UnsupportedReplayError),
    ("Player team unknown, Epic(\"x\")", UnsupportedReplayError),
    ("NDArray player columns changed", UnsupportedReplayError),
    ("Could not decode replay header data", CorruptReplayError),
    ("Failed to parse replay: crc mismatch", CorruptReplayError),
    ("Insufficient data", CorruptReplayError),
    ("something nobody has seen", ReplayError),
]


@pytest.mark.parametrize(("message", "kind"), CASES, ids=[c[0][:40] for c in CASES])
def test_engine_errors_are_classified(message: str, kind: type[ReplayError]) -> None:
    err = classify(Path("x.replay"), RuntimeError(message))
    assert type(err) is kind
    assert err.message.startswith("x.replay: ")
