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


def test_a_replay_too_big_for_the_raw_pass_falls_back_and_says_so(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from rlcoach.pipeline.single import analyze_file
    from rlcoach.replay import engine
    from rlcoach.report.schema import validate_report

    duel = REPLAYS / "post-eac-ranked-duel-2026-04-28-a.replay"
    if not duel.exists():
        pytest.skip("corpus replay not available")
    monkeypatch.setattr(engine, "RAW_STREAM_MAX_BYTES", duel.stat().st_size - 1)
    report = analyze_file(duel)
    validate_report(report)
    codes = [w["code"] for w in report["quality"]["warnings"]]
    assert codes.count("boost-stream-skipped") == 1
    assert not report["quality"]["degraded"]  # the held level still gives every stat
    boost = report["players"][0]["stats"]["boost"]
    assert sum(boost[f"time_boost_{b}"] for b in ("0_25", "25_50", "50_75", "75_100")) > 60


@pytest.mark.parametrize("path", [
    # Renamed since: the stream names him as the frames do ("Aaka"), not "Aakorn".
    "replays-wild/boxcars-9e442bb-13c2.replay",
    # A bot the frames name by id (4294967278): the stream, like the scoreboard, says "Scout".
    "replays/colonelpanic8-double-tap-third-goal-2026-05-24.replay"])
def test_renamed_players_keep_their_stream(path: str) -> None:
    file = REPLAYS.parent / path
    if not file.exists():
        pytest.skip("replay not available")
    replay = load_replay(file)
    assert "player-renamed" in {code for code, _ in replay.warnings}
    assert replay.boost_changes is not None
    assert all(series is not None for series in replay.boost_changes)
    assert "boost-stream-skipped" not in {code for code, _ in replay.warnings}


def test_players_without_replicated_levels_are_named_in_a_warning() -> None:
    matches = sorted(REPLAYS.glob("replay-format-2018-03-15-*.replay"))
    if not matches:
        pytest.skip("corpus replay not available")
    replay = load_replay(matches[0])
    assert replay.boost_changes is not None and all(s is None for s in replay.boost_changes)
    [message] = [m for code, m in replay.warnings if code == "boost-stream-skipped"]
    assert all(p.key in message for p in replay.players)
