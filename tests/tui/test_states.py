"""The dashboard when things are not ideal: no identity, no library, games
without the user, a library changing underneath, a malformed report, and
the rule that database reads never run on the UI thread.

Real apps on real SQLite libraries, as in ``test_screens``.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from rlcoach.tui.screens.game import GameView
from rlcoach.tui.screens.games import GamesView
from rlcoach.tui.widgets.heatmap import FieldHeatmap

from .conftest import settle

pytestmark = pytest.mark.anyio


async def test_database_reads_refuse_the_ui_thread(make_app) -> None:
    """The rule "every read runs in a worker" is enforced, so this suite checks it:
    any view that queried on the UI thread would have raised in the tests above."""
    from rlcoach.tui.data import UIThreadQueryError

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.data.invalidate()
        with pytest.raises(UIThreadQueryError):
            app.data.status()  # we are on the loop's thread here
        # A worker thread may.
        worker = app.run_worker(app.data.status, thread=True)
        await worker.wait()
        assert worker.result is not None and worker.result.games == 40


async def test_every_view_explains_a_missing_identity(make_app) -> None:
    from rlcoach.config import Identity
    from rlcoach.tui.screens.base import Notice

    app = make_app(identity=Identity())
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("h", "t", "c", "i"):
            await pilot.press(key)
            await settle(pilot)
            notice = app.view.query_one(Notice)
            assert notice.has_class("-shown")
            assert "[identity]" in str(notice.render())
        # Games still lists every game, without results.
        await pilot.press("g")
        await settle(pilot)
        table = app.view.query_one("#game-list", DataTable)
        assert table.row_count == 40
        assert {str(table.get_row_at(i)[1]) for i in range(table.row_count)} == {"·"}


async def test_every_view_says_to_ingest_when_empty(make_app, tmp_path) -> None:
    from rlcoach.tui.screens.base import Notice

    app = make_app(path=tmp_path / "none.sqlite3")
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("g", "t", "c", "i", "h"):
            await pilot.press(key)
            await settle(pilot)
            assert "rlcoach ingest" in str(app.view.query_one(Notice).render())
    assert not (tmp_path / "none.sqlite3").exists()


async def test_a_game_without_the_user(make_app, tmp_path) -> None:
    from datetime import timedelta

    from rlcoach.library.db import open_library
    from rlcoach.library.store import FileInfo, add_report

    from .factories import NOW, make_report

    path = tmp_path / "lib.sqlite3"
    with open_library(path) as lib:
        for i, with_me in ((1, True), (2, False)):
            report = make_report(i, date=NOW - timedelta(hours=i), with_me=with_me,
                                 with_heatmap=True)
            add_report(lib, report, FileInfo(f"/r/{i}.replay", 1, 0.0, report["replay"]["sha256"]))
    app = make_app(path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("down", "enter")  # the older game: a stranger's
        await settle(pilot)
        view = app.view
        assert isinstance(view, GameView)
        assert "not in this game" in str(view.query_one("#game-title", Static).render())
        await pilot.press("6")
        assert view.query_one(FieldHeatmap).grid is None
        assert "You are not in this game" in str(view.query_one(FieldHeatmap).render())
        # One game of the user's: Insights says why it cannot judge, and keeps its keys.
        await pilot.press("i")
        await settle(pilot)
        insights = app.view
        text = str(insights.query_one("#finding", Static).render())
        assert "Nothing stands out" in text and "1 game(s) in the window, need 3" in text
        assert insights.query_one("#findings", DataTable).has_focus
        await pilot.press("l")
        await settle(pilot)
        assert insights.cycles["last"].value == 50


async def test_games_written_by_another_process_appear(make_app, library_file, tmp_path) -> None:
    import shutil
    from datetime import timedelta

    from rlcoach.library.db import open_library
    from rlcoach.library.store import FileInfo, add_report

    from .factories import NOW, make_report

    path = tmp_path / "lib.sqlite3"
    shutil.copy(library_file, path)
    app = make_app(path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.view.query_one("#recent", DataTable).get_row_at(0)[0] == "today 20:40"
        before = app.view.loaded_at
        app.check_library()  # our own reads are not a change
        await settle(pilot)
        assert app.view.loaded_at == before
        with open_library(path) as lib:  # what `rlcoach watch` does meanwhile
            report = make_report(500, date=NOW - timedelta(minutes=2))
            add_report(lib, report, FileInfo("/r/new.replay", 1, 0.0, "n" * 64))
        app.check_library()  # the timer's job, called now instead of in 5 s
        await settle(pilot)
        assert app.view.loaded_at != before
        assert app.view.query_one("#recent", DataTable).get_row_at(0)[0] == "today 20:58"


async def test_an_ingest_into_an_empty_library_shows_up(make_app, tmp_path) -> None:
    from rlcoach.library.db import open_library
    from rlcoach.tui.screens.base import Notice

    from .factories import fill

    path = tmp_path / "later.sqlite3"
    app = make_app(path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "rlcoach ingest" in str(app.view.query_one(Notice).render())
        with open_library(path) as lib:  # `rlcoach ingest` in another terminal
            fill(lib, 3)
        app.check_library()
        await settle(pilot)
        assert not app.view.query_one(Notice).has_class("-shown")
        assert app.view.query_one("#recent", DataTable).row_count == 3


async def test_a_malformed_report_is_reported_not_fatal(make_app, tmp_path) -> None:
    from datetime import timedelta

    from rlcoach.library.db import open_library
    from rlcoach.library.store import FileInfo, add_report
    from rlcoach.tui.screens.base import Notice

    from .factories import NOW, make_report

    path = tmp_path / "odd.sqlite3"
    with open_library(path) as lib:
        report = make_report(7, date=NOW - timedelta(hours=1))
        report["events"]["goals"] = "not a list"  # the store keeps whatever it is given
        add_report(lib, report, FileInfo("/r/odd.replay", 1, 0.0, report["replay"]["sha256"]))
    app = make_app(path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "5")  # open it, then the Timeline tab
        await settle(pilot)
        notice = app.view.query_one(Notice)
        assert notice.has_class("-shown")
        assert "Could not show this" in str(notice.render())
        await pilot.press("escape", "g")  # and the dashboard carries on
        await settle(pilot)
        assert isinstance(app.view, GamesView)


async def test_an_unreadable_library_is_explained(make_app, tmp_path) -> None:
    from rlcoach.tui.screens.base import Notice

    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    app = make_app(path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = str(app.view.query_one(Notice).render())
        assert "not a usable library" in text and "rlcoach ingest" in text  # message + hint
        await pilot.press("g")
        await settle(pilot)
        assert "not a usable library" in str(app.view.query_one(Notice).render())
