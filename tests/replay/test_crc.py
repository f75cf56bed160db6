"""Replay checksums: every real replay verifies; one flipped bit is caught."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import REPLAYS, WILD

from rlcoach.errors import CorruptReplayError
from rlcoach.replay.crc import crc_problem
from rlcoach.replay.engine import load_replay

ALL = sorted(REPLAYS.glob("*.replay")) + sorted(WILD.glob("*.replay"))


def test_every_corpus_and_wild_replay_verifies() -> None:
    if not ALL:
        pytest.skip("../shared replays not present")
    assert {p.name: crc_problem(p) for p in ALL} == {p.name: None for p in ALL}


@pytest.mark.parametrize(("where", "part"), [(0.001, "header"), (0.5, "body"), (0.99, "body")])
def test_a_flipped_bit_is_refused_as_corrupt(tmp_path: Path, where: float, part: str) -> None:
    data = bytearray((REPLAYS / "post-eac-ranked-duel-2026-04-28-a.replay").read_bytes())
    k = max(8, int(len(data) * where))
    data[k] ^= 0x10
    bad = tmp_path / "flipped.replay"
    bad.write_bytes(bytes(data))
    assert crc_problem(bad) == f"the {part} checksum does not match"
    with pytest.raises(CorruptReplayError, match=r"flipped\.replay: corrupt replay"):
        load_replay(bad)


def test_truncation_is_named(tmp_path: Path) -> None:
    data = (REPLAYS / "post-eac-ranked-duel-2026-04-28-a.replay").read_bytes()
    cut = tmp_path / "cut.replay"
    cut.write_bytes(data[: len(data) // 2])
    assert (crc_problem(cut) or "").startswith("the file ends inside its body")
