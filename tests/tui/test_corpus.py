"""Every real report of the shared corpus, through every Game tab.

The factory reports are tidy; real ones carry old formats, bots, missing
ids, dropshot, 1-player training clips. This walks each of them through the
dashboard and fails if any view had to fall back to "Could not show this".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from rlcoach.config import Identity
from rlcoach.library.db import open_library
from rlcoach.library.store import FileInfo, add_report
from rlcoach.tui.screens.base import Notice
from rlcoach.tui.screens.game import GameView

from .conftest import settle

pytestmark = [pytest.mark.anyio, pytest.mark.corpus, pytest.mark.slow]


@pytest.fixture(scope="module")
def corpus_library(corpus_reports: dict[str, dict], tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("corpus-lib") / "library.sqlite3"
    with open_library(path) as lib:
        for stem, report in sorted(corpus_reports.items()):
            sha = report["replay"].get("sha256") or stem
            add_report(lib, report, FileInfo(f"/corpus/{stem}.replay", 1, 0.0, sha))
    return path


async def test_every_corpus_game_renders_in_every_tab(make_app, corpus_library: Path) -> None:
    # The player in the most corpus games plays "me", so results and notables show.
    app = make_app(path=corpus_library, identity=Identity(names=("colonelpanic8",)))
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("h", "t", "c", "g"):
            await pilot.press(key)
            await settle(pilot)
            assert not app.view.query_one(Notice).has_class("-shown"), key
        table = app.view.query_one("#game-list", DataTable)
        game_ids = [int(str(key.value)) for key in table.rows]
        assert len(game_ids) >= 40
        for game_id in game_ids:
            # Straight calls rather than key presses: Pilot waits for idle after
            # every key, which would make 44 games x 6 tabs take most of a minute.
            await app.open_game(game_id)
            await app.workers.wait_for_complete()
            await pilot.pause(0)
            view = app.view
            assert isinstance(view, GameView) and view.game_id == game_id
            for tab in ("boost", "movement", "positioning", "timeline", "heatmap"):
                view.action_show_tab(tab)
                await pilot.pause(0)  # drains messages and repaints the screen
            notice = view.query_one(Notice)
            assert not notice.has_class("-shown"), (game_id, str(notice.render()))
