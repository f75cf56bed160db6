"""Picking "this is me" writes rlcoach.toml and keeps the rest of the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlcoach.config import load_config
from rlcoach.errors import ConfigError
from rlcoach.tui.identity import write_identity


def test_a_missing_file_gets_an_identity_table(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "rlcoach.toml"
    config = write_identity(path, "steam:7656", "Quantavious")
    assert config.identity.platform_ids == ("steam:7656",)
    assert config.identity.names == ("Quantavious",)


def test_other_sections_and_comments_survive_and_identity_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "rlcoach.toml"
    path.write_text('# mine\n[identity]\nnames = ["Old"]\n\n[library]\n'
                    'session_gap_minutes = 45.0  # long breaks\n', encoding="utf-8")
    write_identity(path, None, 'Ren "the" Ö')
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# mine\n[identity]\n") and "Old" not in text
    assert "session_gap_minutes = 45.0  # long breaks" in text
    config = load_config(path)
    assert config.identity.names == ('Ren "the" Ö',) and config.identity.platform_ids == ()
    assert config.library.session_gap_minutes == 45.0


def test_a_file_that_does_not_validate_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "rlcoach.toml"
    before = "[nonsense]\nkey = 1\n"
    path.write_text(before, encoding="utf-8")
    with pytest.raises(ConfigError):
        write_identity(path, "epic:abc", "Someone")
    assert path.read_text(encoding="utf-8") == before


@pytest.mark.anyio
async def test_picking_this_is_me_writes_the_file_and_shows_my_games(library_file: Path,
                                                                     tmp_path: Path) -> None:
    from textual.widgets import DataTable

    from rlcoach.config import Identity
    from rlcoach.tui.app import DashboardApp
    from rlcoach.tui.data import DashboardData

    from .conftest import settle
    from .factories import ME, NOW

    config = tmp_path / "rlcoach.toml"
    data = DashboardData(library_file, identity=Identity(), config_path=config)
    app = DashboardApp(data, now=NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        suggest = app.view.query_one("#suggest", DataTable)
        assert suggest.display and suggest.has_focus
        assert str(suggest.get_row_at(0)[0]) == ME[2]
        await pilot.press("enter")
        await settle(pilot)
        assert load_config(config).identity.platform_ids == (f"{ME[0]}:{ME[1]}",)
        assert data.status().problem is None
        assert not suggest.display and app.view.query_one("#recent", DataTable).row_count > 0
    data.close()


@pytest.mark.anyio
async def test_an_edited_rlcoach_toml_applies_without_a_restart(library_file: Path,
                                                               tmp_path: Path) -> None:
    from rlcoach.config import Identity
    from rlcoach.tui.app import DashboardApp
    from rlcoach.tui.data import DashboardData

    from .conftest import settle
    from .factories import NOW

    config = tmp_path / "rlcoach.toml"
    data = DashboardData(library_file, identity=Identity(), config_path=config)
    app = DashboardApp(data, now=NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert data.status().problem is not None
        config.write_text('[identity]\nnames = ["Kaiju"]\n\n[library]\n'
                          "session_gap_minutes = 90.0\n", encoding="utf-8")
        app.check_library()  # what the 5-second poll calls
        await settle(pilot)
        assert data.identity.names == ("Kaiju",) and data.session_gap_minutes == 90.0
        assert data.status().problem is None  # Kaiju plays in the fixture games
        config.write_text("[identity\n", encoding="utf-8")  # broken: kept the last good one
        app.check_library()
        await settle(pilot)
        assert data.identity.names == ("Kaiju",)
    data.close()


def test_target_rank_is_written_beside_the_identity(tmp_path: Path) -> None:
    from rlcoach.tui.identity import write_target_rank

    path = tmp_path / "rlcoach.toml"
    path.write_text('# mine\n[identity]\nnames = ["Me"]\n', encoding="utf-8")
    assert write_target_rank(path, "Diamond").dashboard.target_rank == "Diamond"
    config = write_target_rank(path, "Champion")
    assert config.dashboard.target_rank == "Champion" and config.identity.names == ("Me",)
    assert path.read_text(encoding="utf-8").count("[dashboard]") == 1
    assert path.read_text(encoding="utf-8").startswith("# mine\n")


@pytest.mark.anyio
async def test_k_steps_the_target_rank_and_compare_follows(library_file: Path,
                                                          tmp_path: Path) -> None:
    from rlcoach.tui.app import DashboardApp
    from rlcoach.tui.data import DashboardData

    from .conftest import ME_IDENTITY, settle
    from .factories import NOW

    config = tmp_path / "rlcoach.toml"
    config.write_text(f'[identity]\nplatform_ids = ["{ME_IDENTITY.platform_ids[0]}"]\n',
                      encoding="utf-8")
    data = DashboardData(library_file, identity=ME_IDENTITY, config_path=config)
    app = DashboardApp(data, now=NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("k")  # no target yet: the middle of the ladder
        await settle(pilot)
        assert load_config(config).dashboard.target_rank == data.target_rank == "Platinum"
        assert app.view.tier == 10  # Compare's rank column follows the target
        await pilot.press("k", "k")
        await settle(pilot)
        assert load_config(config).dashboard.target_rank == "Champion"
        assert app.view.tier == 16
    data.close()
