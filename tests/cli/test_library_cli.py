"""The library commands end to end through the Typer app."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlcoach.cli import app
from rlcoach.library import open_library
from rlcoach.library.store import FileInfo, add_report

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from library.factories import series

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")  # RLCOACH_HOME comes from tests/conftest.py


@pytest.fixture
def filled(rlcoach_home: Path) -> None:
    cfg = rlcoach_home / "config" / "rlcoach.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('[identity]\nnames = ["Me"]\n')
    with open_library() as lib:
        for i, r in enumerate(series(6)):
            add_report(lib, r, FileInfo(f"/r/{i}.replay", 1, 1.0, f"s{i}"))


def test_empty_library_says_to_ingest() -> None:
    for args in (["games"], ["trends", "bpm"], ["export", "-"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert "library is empty" in result.stderr and "Traceback" not in result.stderr


def test_games_table_and_json(filled: None) -> None:
    result = runner.invoke(app, ["games", "--last", "3"])
    assert result.exit_code == 0, result.output
    assert "DFH Stadium" in result.output and "Mate" in result.output
    result = runner.invoke(app, ["games", "--last", "20", "--result", "win", "--json"])
    rows = json.loads(result.stdout)
    assert len(rows) == 3 and {r["result"] for r in rows} == {"win"}


def test_trends_json_and_unknown_metric(filled: None) -> None:
    result = runner.invoke(app, ["trends", "bpm", "movement.avg_speed", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [s["metric"] for s in data] == ["boost.bpm", "movement.avg_speed"]
    assert len(data[0]["points"]) == 6
    result = runner.invoke(app, ["trends", "bmp"])
    assert result.exit_code != 0
    assert result.exit_code == 2
    error, hint = result.stderr.splitlines()
    assert "unknown metric 'bmp'" in error and hint.startswith("hint:") and "bpm" in hint


def test_export_csv(filled: None, tmp_path: Path) -> None:
    out = tmp_path / "games.csv"
    result = runner.invoke(app, ["export", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == 6 * 4
    assert "boost.bpm" in rows[0] and "demo.taken" in rows[0]
    assert sum(r["is_me"] == "True" for r in rows) == 6


def test_ingest_reports_failures_with_exit_code_1(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "junk.replay").write_bytes(b"not a replay" * 100)
    result = runner.invoke(app, ["ingest", str(folder), "--json", "-j", "1"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["new"] == 0 and data["failed"][0]["path"].endswith("junk.replay")
    again = runner.invoke(app, ["ingest", str(folder), "--json"])
    assert again.exit_code == 0 and json.loads(again.stdout)["unchanged"] == 1


def test_help_has_examples() -> None:
    for command in ("ingest", "watch", "games", "trends", "export"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Example" in result.output, command
