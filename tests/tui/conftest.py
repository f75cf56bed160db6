"""Dashboard test fixtures: an isolated RLCOACH_HOME and real SQLite libraries.

Libraries are filled through ``rlcoach.library.store.add_report`` with the
factory reports, so the dashboard reads exactly what an ingest would write.
The lead's root conftest will also isolate RLCOACH_HOME; doing it here keeps
this suite runnable on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rlcoach.config import Identity
from rlcoach.library.db import open_library
from rlcoach.tui.app import DashboardApp
from rlcoach.tui.data import DashboardData

from .factories import ME, NOW, fill


@pytest.fixture(autouse=True)
def _rlcoach_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "rlcoach-home"
    monkeypatch.setenv("RLCOACH_HOME", str(home))
    monkeypatch.delenv("RLCOACH_CONFIG", raising=False)
    monkeypatch.delenv("TEXTUAL_THEME", raising=False)
    return home


@pytest.fixture
def anyio_backend() -> str:
    # Async tests run through anyio's pytest plugin (a dependency of our deps),
    # on asyncio, which is what Textual needs.
    return "asyncio"


ME_IDENTITY = Identity(platform_ids=(f"{ME[0]}:{ME[1]}",))


@pytest.fixture(scope="session")
def library_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 games, built once per session (tests only read it)."""
    path = tmp_path_factory.mktemp("lib") / "library.sqlite3"
    with open_library(path) as lib:
        fill(lib, 40, heatmap_every=2)
    return path


@pytest.fixture
def make_app(library_file: Path) -> Iterator:
    made: list[DashboardData] = []

    def make(*, identity: Identity = ME_IDENTITY, path: Path | None = None,
             **kw: object) -> DashboardApp:
        data = DashboardData(path or library_file, identity=identity,
                             config_path=Path("/home/you/.config/rlcoach/rlcoach.toml"))
        made.append(data)
        return DashboardApp(data, now=NOW, **kw)  # type: ignore[arg-type]

    yield make
    for data in made:
        data.close()


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until every load started so far has been shown, then repaint.

    A worker's ``call_from_thread`` returns only after ``show`` ran on the UI
    thread, so "workers complete" means "data on screen".
    """
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
