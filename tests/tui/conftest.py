"""Dashboard test fixtures: real SQLite libraries and apps built on them.

Libraries are filled through ``rlcoach.library.store.add_report`` with the
factory reports, so the dashboard reads exactly what an ingest would write.
RLCOACH_HOME is isolated per test by the root ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rlcoach.config import Identity
from rlcoach.library.db import open_library
from rlcoach.tui.app import DashboardApp
from rlcoach.tui.data import DashboardData
from rlcoach.tui.screens.games import TYPING_PAUSE, GamesView

from .factories import ME, NOW, fill


@pytest.fixture(autouse=True)
def _still_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # RLCOACH_HOME isolation comes from the root conftest. Animations would
    # make snapshots depend on timing; the app turns them off unless asked.
    monkeypatch.delenv("TEXTUAL_ANIMATIONS", raising=False)


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
             target_rank: str | None = None, **kw: object) -> DashboardApp:
        data = DashboardData(path or library_file, identity=identity,
                             config_path=Path("/home/you/.config/rlcoach/rlcoach.toml"),
                             target_rank=target_rank)
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
    typing = [v for v in pilot.app.screen.query(GamesView) if v._typing is not None]
    if typing:  # a search waits for the keys to pause before it loads
        await pilot.pause(TYPING_PAUSE + 0.05)
    # A load may start another (Home's focus areas follow its first paint):
    # wait again until no worker is left running, not only the ones seen first.
    for _ in range(20):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if all(worker.is_finished for worker in pilot.app.workers):
            break
