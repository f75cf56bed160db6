"""``rlcoach ingest --reanalyze``: stale reports are replaced, the game stays."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from rlcoach.cli import app
from rlcoach.library import open_library
from rlcoach.library.reanalyze import stale_games, version_tuple
from rlcoach.library.store import FileInfo, add_report
from rlcoach.report.builder import SCHEMA_VERSION

from .conftest import CORPUS
from .factories import make_report

NAME = "boost-into-ball-misclassification-2026-06-11.replay"  # a short clip: one re-analysis


def test_reanalyze_replaces_stale_reports_and_keeps_the_game(rlcoach_home,
                                                             sample_reports) -> None:
    report = sample_reports[NAME]
    with open_library() as lib:
        _, game_id = add_report(lib, report, FileInfo.of(CORPUS / NAME))
        with lib.connect() as conn:  # pretend an older rlcoach analyzed it
            conn.exec_driver_sql("UPDATE games SET schema_version = '1.0'")
            conn.exec_driver_sql(
                "DELETE FROM metric_values WHERE metric_id IN (SELECT id FROM metrics "
                "WHERE name LIKE 'rotation.%')")
        old = make_report(seed=99)  # a stale game whose replay is gone
        add_report(lib, old, FileInfo("/nowhere/x.replay", 1, 1.0, "feed"))
        stale = stale_games(lib)
        assert [(g.game_id, g.path is not None) for g in stale] == [(game_id, True),
                                                                    (game_id + 1, False)]
    result = CliRunner().invoke(app, ["ingest", "--reanalyze", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out == {"updated": 1, "missing": [game_id + 1], "failed": [],
                   "report_version": SCHEMA_VERSION}
    with open_library() as lib, lib.connect() as conn:
        version = conn.exec_driver_sql(
            f"SELECT schema_version FROM games WHERE id = {game_id}").scalar()
        rotation = conn.exec_driver_sql(
            "SELECT count(*) FROM metric_values JOIN metrics ON metrics.id = metric_id "
            "JOIN players ON players.id = player_row "
            f"WHERE metrics.name = 'rotation.percent_first_man' AND game_id = {game_id}").scalar()
        files = conn.exec_driver_sql("SELECT count(*) FROM files WHERE game_id = ?",
                                     (game_id,)).scalar()
        assert version == SCHEMA_VERSION and rotation == len(report["players"]) and files == 1
        assert [g.game_id for g in stale_games(lib)] == [game_id + 1]


def test_versions_compare_numerically() -> None:
    assert version_tuple("1.10") > version_tuple("1.9") > version_tuple(None)
