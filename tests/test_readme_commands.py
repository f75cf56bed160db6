"""README's command table is generated from the CLI; this fails when it is stale."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _script():  # scripts/ is not a package
    spec = importlib.util.spec_from_file_location("readme_commands",
                                                  ROOT / "scripts" / "readme_commands.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_command_table_matches_the_cli() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _script().updated(readme) == readme, "run: python scripts/readme_commands.py"


def test_every_command_is_in_the_table_with_its_help_line() -> None:
    table = _script().render_table()
    for command in ("analyze", "report-html", "ingest", "dashboard", "coach chat", "login"):
        assert f"`rlcoach {command}" in table
    assert "Analyze replays into ballchasing-accurate JSON reports." in table
