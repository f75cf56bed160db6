"""Watch: files written into a folder are ingested once they are complete."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from rlcoach.config import Config, Identity
from rlcoach.library.watch import GameNews, StabilityTracker, Watcher

from .conftest import SAMPLE

pytestmark = pytest.mark.corpus


def test_tracker_waits_for_a_stable_size(tmp_path: Path) -> None:
    now = [0.0]
    tracker = StabilityTracker(2.0, clock=lambda: now[0])
    path = tmp_path / "a.replay"
    path.write_bytes(b"x" * 10)
    tracker.touch(path)
    assert tracker.ready() == []  # first sight
    now[0] = 1.5
    assert tracker.ready() == []
    with path.open("ab") as fh:  # still growing: the clock restarts
        fh.write(b"y" * 10)
    now[0] = 2.5
    assert tracker.ready() == []
    now[0] = 4.0
    assert tracker.ready() == []
    now[0] = 4.6
    assert tracker.ready() == [path]
    assert tracker.pending == []
    gone = tmp_path / "gone.replay"
    tracker.touch(gone)
    assert tracker.ready() == [] and tracker.pending == []


def _drive(watcher: Watcher, until, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not until() and time.monotonic() < deadline:
        watcher.step()
        time.sleep(0.1)


@pytest.mark.parametrize("poll", [False, True], ids=["events", "polling"])
def test_watch_ingests_new_replays_once_complete(library, replay_folder: Path,
                                                 tmp_path: Path, poll: bool) -> None:
    watched = tmp_path / "watched"
    watched.mkdir()
    news: list[GameNews] = []
    results = []
    me = Identity(names=("Rattsy",))
    watcher = Watcher(library, [watched], stable_seconds=0.6, poll=poll, poll_interval=0.2,
                      config=Config(identity=me), on_game=news.append,
                      on_file=results.append)
    with watcher:
        shutil.copy2(replay_folder / SAMPLE[2], watched / SAMPLE[2])
        # Written slowly in chunks, with pauses shorter than the stable time.
        data = (replay_folder / SAMPLE[3]).read_bytes()
        with (watched / SAMPLE[3]).open("wb") as fh:
            for i in range(0, len(data), len(data) // 4 + 1):
                fh.write(data[i:i + len(data) // 4 + 1])
                fh.flush()
                watcher.step()
                time.sleep(0.3)
        _drive(watcher, lambda: len(results) >= 2)
    assert sorted((r.path.name, r.status) for r in results) == [
        (SAMPLE[2], "ok"), (SAMPLE[3], "ok")]
    assert len(news) == 2
    assert all(n.game.score for n in news)


def test_watch_refuses_a_missing_folder(library, tmp_path: Path) -> None:
    from rlcoach.errors import InputError

    with pytest.raises(InputError):
        Watcher(library, [tmp_path / "missing"])


def test_watch_catches_up_on_replays_saved_while_it_was_not_running(
        library, replay_folder: Path, tmp_path: Path) -> None:
    import os

    watched = tmp_path / "watched"
    watched.mkdir()
    old = time.time() - 60
    for name in SAMPLE[2:4]:  # saved a minute ago: settled
        shutil.copy2(replay_folder / name, watched / name)
        os.utime(watched / name, (old, old))
    shutil.copyfile(replay_folder / SAMPLE[4], watched / SAMPLE[4])  # now: maybe still writing
    (watched / "notes.txt").write_text("not a replay")
    watcher = Watcher(library, [watched], stable_seconds=30.0)
    with watcher:
        summary = watcher.catch_up()
        assert summary is not None
        assert summary.new == 2 and not summary.failed
        assert watcher.tracker.pending == [watched / SAMPLE[4]]
        again = watcher.catch_up()  # known files are not read again
        assert again is not None and again.unchanged == 2 and again.new == 0


def test_watch_catch_up_with_an_empty_folder_is_nothing(library, tmp_path: Path) -> None:
    watcher = Watcher(library, [tmp_path], stable_seconds=0.5)
    assert watcher.catch_up() is None
