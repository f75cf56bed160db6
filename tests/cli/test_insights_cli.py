"""``rlcoach insights`` end to end through the Typer app."""

from __future__ import annotations

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


@pytest.fixture
def filled(rlcoach_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    cfg = rlcoach_home / "config" / "rlcoach.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('[identity]\nnames = ["Me"]\n')
    with open_library() as lib:
        for i, r in enumerate(series(6, my_stats={"rotation.double_commits": 2000})):
            add_report(lib, r, FileInfo(f"/r/{i}.replay", 1, 1.0, f"s{i}"))


def test_insights_json(filled) -> None:
    result = runner.invoke(app, ["insights", "--last", "4", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["games"] == 4 and data["last"] == 4
    ids = [f["id"] for f in data["findings"]]
    assert "double-commits" in ids


def test_insights_text_names_baselines_and_practice(filled) -> None:
    result = runner.invoke(app, ["insights"])
    assert result.exit_code == 0, result.output
    assert "You double committed with a teammate 2000 times per game" in result.stdout
    assert "lobby:" in result.stdout and "history:" in result.stdout
    assert "Practise:" in result.stdout


def test_insights_on_an_empty_library_is_one_line(rlcoach_home: Path) -> None:
    result = runner.invoke(app, ["insights"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
