"""User text is never Rich markup: paths, names and config keys print as they are."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from tests.conftest import REPLAYS

from rlcoach.cli.render import safe

GOOD = REPLAYS / "post-eac-ranked-duel-2026-04-28-a.replay"
NASTY = ["[identity]", "Demos[/old]", "[bold]x[/bold]", "a]b[c", "back\\[slash]", "[/]",
         "two\nlines", "esc\x1b[31mred"]


def _render(markup: str) -> str:
    with open(os.devnull, "w") as sink:
        console = Console(width=400, color_system=None, record=True, file=sink)
        console.print(markup, highlight=False)
    return console.export_text().rstrip("\n")


@pytest.mark.parametrize("text", NASTY)
def test_safe_text_prints_literally_on_one_line(text: str) -> None:
    shown = _render(f"[red]name:[/] {safe(text)}")
    visible = text.replace("\n", "\\n").replace("\x1b", "\\x1b")
    assert shown == f"name: {visible}"


def run(*args: str, home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RLCOACH_HOME": str(home), "COLUMNS": "400"}
    env.pop("RLCOACH_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "rlcoach", *args], capture_output=True,
                          text=True, env=env, timeout=300, cwd=cwd)


def test_bracketed_paths_survive_report_md(tmp_path: Path) -> None:
    """The report is written and announced (both files) with the path shown as typed."""
    folder = tmp_path / "Demos[/old]"
    folder.mkdir(parents=True)
    replay = folder / "[bold]game.replay"
    shutil.copy(GOOD, replay)
    proc = run("report-md", str(replay), "--out", "out[/x]", home=tmp_path / "home",
               cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    out = tmp_path / "out[/x]"
    assert proc.stderr.strip() == "wrote out[/x]/[bold]game.json and out[/x]/[bold]game.md"
    assert (out / "[bold]game.json").exists() and (out / "[bold]game.md").exists()


def test_bracketed_missing_path_and_config_keys_in_errors(tmp_path: Path) -> None:
    missing = "Demos[/old]/x[bold]\ny.replay"
    proc = run("analyze", missing, home=tmp_path / "home", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[0] == (
        "error: Demos[/old]/x[bold] y.replay: no files match")  # one line: newline collapsed
    (tmp_path / "home" / "config").mkdir(parents=True)
    (tmp_path / "home" / "config" / "rlcoach.toml").write_text("[bogus]\nx = 1\n")
    proc = run("analyze", "x.replay", home=tmp_path / "home", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "unknown section [bogus]" in proc.stderr


def test_config_key_in_a_hint_is_shown(tmp_path: Path) -> None:
    """`ingest` with no Demos folder names the `[library]` section in its hint."""
    home = tmp_path / "home"
    proc = run("ingest", home=home, cwd=tmp_path)
    if proc.returncode == 0:
        pytest.skip("this machine has a Rocket League Demos folder")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "demos_dirs under [library] in rlcoach.toml" in proc.stderr
