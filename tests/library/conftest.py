"""Library test fixtures: an identity file, a library, real sample replays.

The root ``tests/conftest.py`` gives every test its own RLCOACH_HOME
(``rlcoach_home``). Its session corpus fixture analyzes all 45 replays; the
library tests need only a handful, so ``sample_reports`` asks for five
(analyzed once per session, shared with it when both run).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.analyzed import SAMPLE, analyze_once

from rlcoach.config import Identity
from rlcoach.library.db import Library, open_library

from .factories import ME


@pytest.fixture
def me() -> Identity:
    return Identity(platform_ids=(f"{ME[0]}:{ME[1]}",))


@pytest.fixture
def write_identity(rlcoach_home: Path):
    """Write rlcoach.toml with the given [identity] names / ids."""

    def write(names: tuple[str, ...] = (), ids: tuple[str, ...] = ()) -> Path:
        cfg = rlcoach_home / "config" / "rlcoach.toml"
        cfg.parent.mkdir(parents=True, exist_ok=True)
        quoted = lambda xs: ", ".join(f'"{x}"' for x in xs)  # noqa: E731
        cfg.write_text(f"[identity]\nnames = [{quoted(names)}]\nplatform_ids = [{quoted(ids)}]\n")
        return cfg

    return write


@pytest.fixture
def library() -> Iterator[Library]:
    lib = open_library()
    yield lib
    lib.close()


# -- real replays ------------------------------------------------------------

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "replays"


@pytest.fixture(scope="session")
def sample_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Reports of SAMPLE, analyzed at most once per session (file name -> report)."""
    if not CORPUS.is_dir():
        pytest.skip(f"replay corpus not found at {CORPUS}")
    outcomes = analyze_once([CORPUS / name for name in SAMPLE])
    reports = {f"{stem}.replay": o.report for stem, o in outcomes.items()}  # type: ignore[attr-defined]
    assert all(reports.values()), "sample replays must analyze"
    return reports  # type: ignore[return-value]


@pytest.fixture
def replay_folder(tmp_path: Path, sample_reports: dict[str, dict]) -> Path:
    """SAMPLE copied to a temp folder, with the analyses already in the
    pipeline's cache so ingest tests do not re-analyze (the copy is cheap; a
    replay is never copied into the repository)."""
    import shutil

    from rlcoach.pipeline import cache, engine_key
    from rlcoach.pipeline.single import file_sha256

    folder = tmp_path / "Demos"
    folder.mkdir()
    for name in SAMPLE:
        shutil.copy2(CORPUS / name, folder / name)
        cache.store(file_sha256(folder / name), engine_key(), sample_reports[name])
    return folder
