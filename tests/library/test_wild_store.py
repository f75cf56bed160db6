"""One replay never blocks a library: the replays-wild files whose bots or guests
share a name (no platform id) are stored, and a game the store cannot take is
that file's failure, listed and retried, never the batch's."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.conftest import WILD

from rlcoach.library.ingest import ingest, plan
from rlcoach.library.schema import files, players
from rlcoach.library.store import FileInfo, known_files

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

# The README of replays-wild names these five for `UNIQUE constraint failed:
# players.game_id, players.key`.
SHARED_KEYS = ("boxcars-ae3fc43-sonic_spin", "boxcars-e3dee57-free_aerials_not_clickbate",
               "carball-74517ba-BOTS_NO_POSITION", "rattletrap-0caeb15-81d1",
               "subtr-669c43e-gridiron")


@pytest.fixture
def wild_folder(tmp_path: Path, wild_outcomes: dict[str, object]) -> Path:
    """The five files, their analyses already in the pipeline's cache (no re-analysis)."""
    from rlcoach.pipeline import cache, engine_key
    from rlcoach.pipeline.single import file_sha256

    folder = tmp_path / "Demos"
    folder.mkdir()
    for stem in SHARED_KEYS:
        target = folder / f"{stem}.replay"
        shutil.copy2(WILD / f"{stem}.replay", target)
        report = wild_outcomes[stem].report  # type: ignore[attr-defined]
        assert report is not None, stem
        cache.store(file_sha256(target), engine_key(), report)
    return folder


def test_player_keys_are_unique_per_game(wild_outcomes: dict[str, object]) -> None:
    for stem in SHARED_KEYS:
        report = wild_outcomes[stem].report  # type: ignore[attr-defined]
        keys = [p["key"] for p in report["players"]]
        assert len(keys) == len(set(keys)), (stem, keys)
        # The repeated identity is suffixed, in a stable order: name:X, name:X#2, ...
        assert any("#" in k for k in keys), stem


def test_all_five_are_stored(library, wild_folder: Path) -> None:
    summary = ingest(library, [wild_folder], jobs=1)
    assert [r.error for r in summary.failed] == []
    assert summary.new == 5
    with library.connect() as conn:
        rows = conn.execute(select(players.c.game_id, players.c.key)).all()
    assert len({r.game_id for r in rows}) == 5
    assert len(rows) == len(set(rows))


def test_an_unstorable_game_is_that_files_failure(library, wild_folder: Path,
                                                  wild_outcomes: dict[str, object]) -> None:
    """A report whose players collide (as before the fix) fails alone, is listed
    with its reason, and --retry-failed analyzes it again."""
    from rlcoach.library.ingest import store_outcome

    first, second = SHARED_KEYS[:2]
    bad = copy.deepcopy(wild_outcomes[first].report)  # type: ignore[attr-defined]
    bad["players"][1]["key"] = bad["players"][0]["key"]
    info = FileInfo.of(wild_folder / f"{first}.replay", sha256="0" * 64)
    result = store_outcome(library, info, bad, None)
    assert result.status == "failed" and result.error_kind == "unstorable"
    assert "UNIQUE constraint failed: players.game_id, players.key" in (result.error or "")
    good = FileInfo.of(wild_folder / f"{second}.replay", sha256="1" * 64)
    stored = store_outcome(library, good, wild_outcomes[second].report, None)  # type: ignore[attr-defined]
    assert stored.status == "ok"
    with library.connect() as conn:
        row = conn.execute(select(files).where(files.c.path == info.path)).one()
    assert (row.status, row.error_kind, row.game_id) == ("failed", "unstorable", None)
    assert known_files(library)[info.path].status == "failed"
    # Not retried unless asked; asked, it goes back to analysis.
    assert plan(library, [Path(info.path)]).to_analyze == []
    retry = plan(library, [Path(info.path)], retry_failed=True)
    assert [i.path for i in retry.to_analyze] == [info.path]
