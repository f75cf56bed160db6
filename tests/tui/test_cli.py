"""``rlcoach dashboard`` from the command line (the TUI itself is not started)."""

from __future__ import annotations

import subprocess
import sys

CLI = "from rlcoach.cli import main; main()"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True,
                          timeout=60)


def test_help_lists_dashboard_without_importing_textual() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, rlcoach.cli; print('textual' in sys.modules)"],
        capture_output=True, text=True, timeout=60)
    assert probe.stdout.strip() == "False"
    result = run("dashboard", "--help")
    assert result.returncode == 0
    assert "--screen" in result.stdout and "--light" in result.stdout


def test_unknown_screen_is_a_usage_error() -> None:
    result = run("dashboard", "--screen", "nope")
    assert result.returncode == 2
    assert "unknown screen 'nope'" in result.stderr


def test_a_broken_config_is_reported_before_the_screen_opens(rlcoach_home) -> None:
    config = rlcoach_home / "config" / "rlcoach.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[identity\nnames = [")
    result = run("dashboard")  # the subprocess inherits RLCOACH_HOME from the fixture
    assert result.returncode == 2
    assert "invalid TOML" in result.stderr
