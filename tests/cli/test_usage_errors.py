"""Every command, used wrongly, as a subprocess: one line on stderr, exit 2, no traceback.

A hint line may follow an ``RlcoachError``'s one-line message (``error: ...`` then
``hint: ...``); click's usage errors are exactly one line. Ctrl-C at a prompt exits 130.
"""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rlcoach.cli import app

BAD_URL = ["--server", "notaurl"]

CASES: list[tuple[str, list[str]]] = [
    ("no command", []),
    ("unknown command", ["bogus"]),
    ("unknown root option", ["--bogus"]),
    ("analyze without a path", ["analyze"]),
    ("report-md without a path", ["report-md"]),
    ("trends without a metric", ["trends"]),
    ("export without a file", ["export"]),
    ("analyze --jobs 0", ["analyze", "--jobs", "0", "x.replay"]),
    ("analyze --jobs abc", ["analyze", "--jobs", "abc", "x.replay"]),
    ("report-md --jobs 0", ["report-md", "--jobs", "0", "x.replay"]),
    ("ingest --jobs 0", ["ingest", "--jobs", "0", "x.replay"]),
    ("games --last 0", ["games", "--last", "0"]),
    ("games --last x", ["games", "-n", "x"]),
    ("games --result maybe", ["games", "--result", "maybe"]),
    ("games --since yesterday", ["games", "--since", "yesterday"]),
    ("trends --last 0", ["trends", "bpm", "--last", "0"]),
    ("trends --window 0", ["trends", "bpm", "--window", "0"]),
    ("trends unknown metric", ["trends", "no_such_metric"]),
    ("export --json", ["export", "x.csv", "--json"]),
    ("watch --stable-seconds -1", ["watch", "--stable-seconds", "-1"]),
    ("dashboard --screen nope", ["dashboard", "--screen", "nope"]),
    ("schema extra argument", ["schema", "extra"]),
    ("login --server notaurl", ["login", *BAD_URL]),
    ("logout --server notaurl", ["logout", *BAD_URL]),
    ("account --server notaurl", ["account", *BAD_URL]),
    ("upgrade --server notaurl", ["upgrade", *BAD_URL]),
    ("billing --server notaurl", ["billing", *BAD_URL]),
    ("delete-account --server notaurl", ["delete-account", *BAD_URL]),
]


def _commands() -> list[str]:
    import typer.main

    return sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


# Every registered command (others' included, as they land) with an unknown option.
CASES += [(f"{name} --no-such-option", [name, "--no-such-option"]) for name in _commands()]


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "RLCOACH_HOME": str(home), "RLCOACH_TOKEN_STORE": "file",
           "NO_COLOR": "1", "COLUMNS": "200"}
    for name in ("RLCOACH_CONFIG", "RLCOACH_SERVER_URL"):
        env.pop(name, None)
    return env


@pytest.mark.parametrize("args", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_usage_is_one_line_and_exit_2(args: list[str], tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "rlcoach", *args], capture_output=True,
                          text=True, env=_env(tmp_path / "home"), timeout=60,
                          stdin=subprocess.DEVNULL)
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2, proc.stderr
    assert lines and lines[0].startswith("error: "), proc.stderr
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("hint: ")), proc.stderr


def test_every_command_is_covered() -> None:
    named = {args[0] for _, args in CASES if args and not args[0].startswith("-")}
    assert set(_commands()) <= named


def test_ctrl_c_at_the_delete_account_prompt_exits_130(tmp_path: Path) -> None:
    """A real terminal (pty) on stdin, a stored login, SIGINT while the prompt waits."""
    home = tmp_path / "home"
    env = _env(home)
    server = "http://127.0.0.1:9"  # never contacted: the prompt comes first
    saved = subprocess.run(
        [sys.executable, "-c", "from rlcoach.account.tokens import FileStore, Tokens; "
         f"FileStore().save({server!r}, Tokens('a', 'r', None))"], env=env, timeout=60)
    assert saved.returncode == 0
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "rlcoach", "delete-account", "--server",
                             server], stdin=terminal, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    os.close(terminal)
    try:
        assert proc.stderr is not None
        seen = b""
        deadline = time.monotonic() + 30
        os.set_blocking(proc.stderr.fileno(), False)
        while b"cannot be undone" not in seen and time.monotonic() < deadline:
            seen += proc.stderr.read() or b""
            time.sleep(0.05)
        assert b"cannot be undone" in seen, seen
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        os.set_blocking(proc.stderr.fileno(), True)
        seen += proc.stderr.read()
    finally:
        os.close(controller)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, seen
    assert b"Traceback" not in seen
