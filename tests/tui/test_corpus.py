"""Every real report of the shared corpus, through every Game tab.

The factory reports are tidy; real ones carry old formats, bots, missing
ids, dropshot, 1-player training clips. This walks each of them through the
dashboard and fails if any view had to fall back to "Could not show this".

Every game is opened and every tab filled through the view's own guarded
step (what showing the tab runs: our code that reads the report). Painting a
tab is mostly Textual's work (styles, layout, compositor) and cost ~0.15 s a
tab, 36 s for 46 games: so every tab is painted only for a handful of games
picked to cover each shape the corpus has (team size, player count, parse
path, degraded, overtime, forfeit, dropshot, match clock, the user in it or
not), the first game of each value in the corpus' order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from rlcoach.config import Identity
from rlcoach.library.db import open_library
from rlcoach.library.store import FileInfo, add_report
from rlcoach.tui.screens.base import Notice
from rlcoach.tui.screens.game import TABS, GameView

from .conftest import settle

pytestmark = [pytest.mark.anyio, pytest.mark.corpus, pytest.mark.slow]

ME_NAME = "colonelpanic8"  # in the most corpus games: results and notables show


def shape(report: dict[str, Any]) -> set[tuple[str, object]]:
    """What makes a report render differently: one (feature, value) per feature."""
    replay, players = report["replay"], report["players"]
    return {("team_size", replay.get("team_size")), ("players", len(players)),
            ("frames", replay.get("frames_source")),
            ("degraded", report["quality"]["degraded"]),
            ("overtime", bool(replay.get("overtime"))), ("forfeit", bool(replay.get("forfeit"))),
            ("dropshot", "dropshot" in str(replay.get("playlist"))),
            ("clock", replay.get("seconds_played") is not None),
            ("me", any(p.get("name") == ME_NAME for p in players))}


@pytest.fixture(scope="module")
def corpus_library(corpus_reports: dict[str, dict],
                   tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[int]]:
    """The corpus stored in a library, and the games that cover every shape."""
    path = tmp_path_factory.mktemp("corpus-lib") / "library.sqlite3"
    covered: set[tuple[str, object]] = set()
    representative: list[int] = []
    with open_library(path) as lib:
        for stem, report in sorted(corpus_reports.items()):
            sha = report["replay"].get("sha256") or stem
            _, game_id = add_report(lib, report, FileInfo(f"/corpus/{stem}.replay", 1, 0.0, sha))
            if not shape(report) <= covered:
                covered |= shape(report)
                representative.append(game_id)
    return path, representative


async def test_every_corpus_game_renders_in_every_tab(make_app, corpus_library) -> None:  # type: ignore[no-untyped-def]
    path, representative = corpus_library
    app = make_app(path=path, identity=Identity(names=(ME_NAME,)))
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("h", "t", "c", "g"):
            await pilot.press(key)
            await settle(pilot)
            assert not app.view.query_one(Notice).has_class("-shown"), key
        table = app.view.query_one("#game-list", DataTable)
        game_ids = [int(str(key.value)) for key in table.rows]
        assert len(game_ids) >= 40
        assert set(representative) <= set(game_ids) and len(representative) >= 6
        painted = 0
        for game_id in game_ids:
            # Straight calls rather than key presses: Pilot waits for idle after
            # every key, which would make 46 games x 6 tabs take most of a minute.
            await app.open_game(game_id)
            await app.workers.wait_for_complete()
            await pilot.pause(0)  # the Overview tab, painted
            view = app.view
            assert isinstance(view, GameView) and view.game_id == game_id
            if game_id in representative:
                for tab, _ in TABS[1:]:
                    view.action_show_tab(tab)
                    await pilot.pause(0)  # drains messages and repaints the screen
                painted += 1
            else:
                for tab, _ in TABS[1:]:  # what showing the tab runs, without painting it
                    view.guarded(view._fill, tab)
                await app.workers.wait_for_complete()  # the average heatmap's reader
            notice = view.query_one(Notice)
            assert not notice.has_class("-shown"), (game_id, str(notice.render()))
        assert painted == len(representative)
