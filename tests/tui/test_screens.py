"""Drive the dashboard like a user: keys in, what the screens hold out.

Every test runs the real app on a real SQLite library filled by the
library's own store; nothing of ours is mocked.
"""

from __future__ import annotations

import pytest
from textual.widgets import (
    DataTable,
    Input,
    OptionList,
    Select,
    SelectionList,
    Static,
    TabbedContent,
)

from rlcoach.tui.screens.compare import CompareView
from rlcoach.tui.screens.game import GameView
from rlcoach.tui.screens.games import GamesView
from rlcoach.tui.screens.home import HomeView
from rlcoach.tui.screens.insights import InsightsView
from rlcoach.tui.screens.trends import TrendsView
from rlcoach.tui.widgets.chart import TrendChart
from rlcoach.tui.widgets.heatmap import FieldHeatmap
from rlcoach.tui.widgets.timeline import Timeline

from .conftest import settle

pytestmark = pytest.mark.anyio


def text_of(widget: Static) -> str:
    return str(widget.render())


async def test_home_shows_recent_games_session_and_form(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.view, HomeView)
        recent = app.view.query_one("#recent", DataTable)
        assert recent.row_count == 30  # RECENT_ON_HOME of the 40 games
        # Newest first: the newest game (id 40) was 20 minutes before NOW.
        first = recent.get_row_at(0)
        assert str(first[0]).startswith("today 20:40")
        assert "Ranked win rate" in text_of(app.view.query_one("#winrate", Static))
        session = text_of(app.view.query_one("#session", Static))
        assert "now" in session and "6 games" in session
        assert len(text_of(app.view.query_one("#form", Static))) > len("Form ")


async def test_games_filters_sort_and_open(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g")
        await settle(pilot)
        screen = app.view
        assert isinstance(screen, GamesView)
        table = screen.query_one("#game-list", DataTable)
        assert table.row_count == 40
        assert table.has_focus  # letters must reach bindings, not the search box

        # Result filter: only wins remain.
        screen.query_one("#f-result", Select).value = "win"
        await settle(pilot)
        results = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert results == {"W"} and 0 < table.row_count < 40

        # Text search types into the box after "/".
        await pilot.press("x")
        await settle(pilot)
        loads = screen.loads
        await pilot.press("slash", *"duel")
        await settle(pilot)
        assert screen.query_one("#f-text", Input).value == "duel"
        assert screen.loads == loads + 1  # four keys, one search: typing is debounced
        playlists = {str(table.get_row_at(i)[3]) for i in range(table.row_count)}
        assert playlists == {"Ranked Duel"}  # fits its 11 columns: not abbreviated

        # A bad date is flagged, not applied.
        await pilot.press("escape", "x")
        await settle(pilot)
        screen.query_one("#f-since", Input).value = "2026-13-45"
        await settle(pilot)
        assert screen.query_one("#f-since", Input).has_class("-invalid")
        screen.query_one("#f-since", Input).value = "2026-03-12"
        await settle(pilot)
        assert table.row_count == 6  # the last session's day

        # Sorting by a stat reorders rows (descending).
        await pilot.press("x")
        await settle(pilot)
        screen.sort, screen.descending = "core.score", True
        screen.reload()
        await settle(pilot)
        scores = [int(str(table.get_row_at(i)[5])) for i in range(table.row_count)]
        assert scores == sorted(scores, reverse=True)
        await pilot.press("S")
        await settle(pilot)
        scores = [int(str(table.get_row_at(i)[5])) for i in range(table.row_count)]
        assert scores == sorted(scores)

        # Enter opens the highlighted game.
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.view, GameView)


async def test_game_tabs_timeline_and_heatmap(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the newest game (index 39: no heatmap)
        await settle(pilot)
        screen = app.view
        assert isinstance(screen, GameView)
        assert screen.query_one("#board-blue", DataTable).row_count >= 1
        assert screen.query_one("#board-orange", DataTable).row_count >= 1
        tabs = screen.query_one(TabbedContent)
        for key, tab in (("2", "boost"), ("3", "movement"), ("4", "positioning")):
            await pilot.press(key)
            assert tabs.active == tab
            # Every registry metric of the group is a row.
            assert screen.query_one(f"#group-{tab}", DataTable).row_count > 10
        await pilot.press("5")
        timeline = screen.query_one(Timeline)
        labels = [lane.label for lane in timeline.lanes]
        assert labels[0] == "Goals" and {"Kickoffs", "Demos"} <= set(labels)
        events = screen.query_one("#events", DataTable)
        titles = [str(events.get_row_at(i)[1]) for i in range(events.row_count)]
        assert sum(t.startswith("Goal") for t in titles) == len(timeline.lanes[0].marks) > 0
        assert screen.game_id
        # The highlighted moment's situation is spelled out above the list.
        events.focus()
        await pilot.press("down")
        situation = str(screen.query_one("#situation", Static).render())
        assert " at " in situation and "score before it" in situation
        await pilot.press("6")
        await settle(pilot)
        field = screen.query_one("#field", FieldHeatmap)
        assert field.grid is None
        assert "No position data in this report" in str(field.render())
        # Beside it, the user's average over recent games (half of them have one).
        average = screen.query_one("#field-avg", FieldHeatmap)
        assert average.grid is not None and average.caption.startswith("your last ")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.view, HomeView)
        # The next game down has a heatmap (every other factory game does).
        await pilot.press("down", "enter")
        await settle(pilot)
        await pilot.press("6")
        await pilot.pause()
        field = app.view.query_one("#field", FieldHeatmap)
        assert field.grid is not None
        drawn = field.render()
        assert "your goal" in drawn.plain and "▀" in drawn.plain
        assert any("on #" in str(span.style) for span in drawn.spans)  # viridis pairs


async def test_trends_charts_chosen_metrics(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await settle(pilot)
        screen = app.view
        assert isinstance(screen, TrendsView)
        chart = screen.query_one("#chart-0", TrendChart)
        assert screen.cycles["playlist"].value == "ranked-doubles"  # the main one, not pooled
        assert len(chart.values) == 19
        title = text_of(screen.query_one("#chart-title-0", Static))
        assert "Score" in title and "wins" in title and "losses" in title
        metrics = screen.query_one(SelectionList)
        metrics.select("movement.avg_speed")
        await settle(pilot)
        assert screen.chosen == ["core.score", "boost.bpm", "movement.avg_speed"]
        metrics.select("demo.inflicted")  # a fourth replaces the oldest
        await settle(pilot)
        assert screen.chosen == ["boost.bpm", "movement.avg_speed", "demo.inflicted"]
        assert "core.score" not in metrics.selected
        await pilot.press("p")  # the next most played playlist
        await settle(pilot)
        playlist = screen.cycles["playlist"].value
        assert playlist == "ranked-standard"
        n = len(screen.query_one("#chart-0", TrendChart).values)
        assert 0 < n < 19
        assert "Ranked Standard (12)" in str(screen.query_one("#t-scope", Static).render())
        await pilot.press("l")  # last 200 -> last 1000: all 40 here, same n
        await settle(pilot)
        assert len(screen.query_one("#chart-0", TrendChart).values) == n


async def test_trends_chart_picks_a_game_and_opens_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await settle(pilot)
        chart = app.view.query_one("#chart-0", TrendChart)
        chart.focus()
        await pilot.pause()
        assert chart.cursor == len(chart.points) - 1  # the newest game first
        await pilot.press("left", "left")
        picked = chart.points[chart.cursor]
        assert chart.cursor == len(chart.points) - 3
        assert f"{picked.played_at:%Y-%m-%d %H:%M}" in chart.render().plain
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.view, GameView) and app.view.game_id == picked.game_id
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.view, TrendsView)
        # A click on the first plot column opens the oldest game (the nearest drawn).
        await pilot.click(chart, offset=(8, 2))
        await settle(pilot)
        assert isinstance(app.view, GameView)
        assert app.view.game_id == chart.points[0].game_id


async def test_compare_shows_lobby_rank_means_and_source(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await settle(pilot)
        screen = app.view
        assert isinstance(screen, CompareView)
        table = screen.query_one("#compare", DataTable)
        keys = [str(k.value) for k in table.rows]
        metrics = [k for k in keys if not k.startswith("group:")]
        assert len(metrics) == 35  # every mapped rank stat, under its group's heading
        assert keys[0] == "group:core" and len(keys) - len(metrics) >= 3
        # Within a group, the largest gap to the lobby comes first.
        from rlcoach.tui.screens.compare import relative_gap
        rows = {r.metric: r for r in screen._data.rows}
        boost = [k for k in metrics if k.startswith("boost.")]
        gaps = [relative_gap(rows[k]) for k in boost]
        assert gaps == sorted(gaps, reverse=True) and len(boost) > 3
        caveat = text_of(screen.query_one("#caveat", Static))
        assert "ballchasing" in caveat and "pooled" in caveat and "pre-2023" in caveat
        before = screen.tier
        await pilot.press("left_square_bracket")
        assert screen.tier != before or before == 1
        # The main (most played ranked) playlist first, never all pooled unless asked.
        assert screen.playlist.value == "ranked-doubles" and screen._data.games == 19
        assert str(table.get_row("core.goals")[0]) == "Goals /min"
        await pilot.press("p")
        await settle(pilot)
        assert screen.playlist.value == "ranked-standard"
        assert 0 < screen._data.games < 19
        row = table.get_row("boost.bpm")
        assert str(row[0]) == "BPM" and str(row[1]) not in ("", "–")


async def test_a_game_reopened_after_a_theme_switch_has_the_new_colours(make_app) -> None:
    # The game screen skips Textual's restyle when it is pushed again, unless
    # the theme changed while it was away.
    app = make_app()
    backgrounds = []
    async with app.run_test(size=(80, 24)) as pilot:
        for keys in (("enter",), ("escape", "d", "enter")):  # open, back, light, open
            await settle(pilot)
            await pilot.press(*keys)
            await settle(pilot)
            assert isinstance(app.view, GameView)
            backgrounds.append(app.screen.styles.background)
        assert app.theme == "textual-light"
        assert backgrounds[1] == app.main.styles.background != backgrounds[0]


async def test_theme_toggle_by_key_and_palette(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await pilot.press("d")
        assert app.theme == "textual-light"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"toggle dark")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "textual-dark"
        # Palette navigation to a screen.
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"go to compare")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.view, CompareView)


async def test_screens_keep_data_when_switching(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.view
        first = home.loaded_at
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert app.view is home and home.loaded_at == first  # no re-query
        await pilot.press("r")  # reload reads again
        await settle(pilot)
        assert home.loaded_at != first


async def test_palette_charts_any_metric(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"chart avg speed")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        view = app.view
        assert isinstance(view, TrendsView)
        assert view.chosen[-1] == "movement.avg_speed"
        assert "Avg speed" in str(view.query_one("#chart-title-2", Static).render())


async def test_question_mark_lists_every_key(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query("HelpPanel")
        await pilot.press("question_mark")
        await pilot.pause()
        assert not app.screen.query("HelpPanel")


async def test_clicking_a_header_sorts_by_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g")
        await settle(pilot)
        # Column widths follow the loaded rows; measure them only once the
        # layout has caught up (a slow machine repaints after the first settle).
        await settle(pilot)
        await pilot.pause(0.2)
        table = app.view.query_one("#game-list", DataTable)
        columns = list(table.columns.values())
        index = next(i for i, c in enumerate(columns) if c.key.value == "core.score")
        x = sum(c.get_render_width(table) for c in columns[:index]) + 1
        await pilot.click(table, offset=(x, 0))
        await settle(pilot)
        assert (app.view.sort, app.view.descending) == ("core.score", True)
        scores = [int(str(table.get_row_at(i)[5])) for i in range(table.row_count)]
        assert scores == sorted(scores, reverse=True)
        await pilot.click(table, offset=(x, 0))  # again: the other way round
        await settle(pilot)
        assert app.view.descending is False


async def test_games_filters_by_letter_keys(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g")
        await settle(pilot)
        table = app.view.query_one("#game-list", DataTable)
        await pilot.press("w")  # wins
        await settle(pilot)
        assert {str(table.get_row_at(i)[1]) for i in range(table.row_count)} == {"W"}
        await pilot.press("w", "w")  # losses, then any result again
        await settle(pilot)
        assert table.row_count == 40
        await pilot.press("p")  # the most played playlist
        await settle(pilot)
        assert 0 < table.row_count < 40
        assert len({str(table.get_row_at(i)[3]) for i in range(table.row_count)}) == 1


async def test_game_tab_keys_put_focus_in_the_tab_table(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("2")
        boost = app.view.query_one("#group-boost", DataTable)
        assert boost.has_focus
        await pilot.press("pagedown")
        assert boost.cursor_row > 0  # the long table scrolls
        await pilot.press("right_square_bracket")  # still switches tabs from the table
        assert app.view.query_one("#group-movement", DataTable).has_focus


async def test_insights_list_findings_and_open_a_moment_on_the_timeline(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("i")
        await settle(pilot)
        view = app.view
        assert isinstance(view, InsightsView)
        found = app.data.insights(app.data.main_playlist(), 20)
        assert found.findings  # the fixture's kickoffs are lost far more than the lobby's
        findings = view.query_one("#findings", DataTable)
        assert findings.row_count == len(found.findings)
        first = found.findings[0]
        detail = text_of(view.query_one("#finding", Static))
        assert first["claim"] in detail and first["practice"] in detail
        lobby = first["baselines"][0]  # a rate rule pools the lobby's counts, and says so
        basis = "lobby rate" if lobby.get("pooled") else "lobby median"
        assert basis in detail and f"{first['effect']:.1f}" in detail
        moments = view.query_one("#moments", DataTable)
        assert moments.row_count == len(first["moments"]) > 0
        await pilot.press("enter")  # a finding: into its moments
        assert moments.has_focus
        await pilot.press("down", "enter")
        await settle(pilot)
        game = app.view
        assert isinstance(game, GameView)
        assert game.game_id == first["moments"][1]["game_id"]
        assert game.query_one(TabbedContent).active == "timeline"
        events = game.query_one("#events", DataTable)
        at = game._moments[events.cursor_row]
        assert at.time is not None and abs(at.time - first["moments"][1]["time"]) < 1.0


async def test_home_focus_areas_open_the_game_that_shows_them(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.view
        assert isinstance(home, HomeView)
        focus = home.query_one("#focus", OptionList)
        assert focus.option_count == 3 and focus.display
        first = home._focus[0]
        assert first.sentence in str(focus.get_option_at_index(0).prompt)
        focus.focus()
        focus.highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.view, GameView) and app.view.game_id == first.games[0][0]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("A")  # all play: the same fixture games (all ranked), said so
        await settle(pilot)
        assert not home.ranked_only
        assert "All win rate" in text_of(home.query_one("#winrate", Static))
