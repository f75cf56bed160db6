"""The ``rlcoach-server`` command: ``migrate`` and ``serve --dev`` as real processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import inspect

from rlcoach_server.cli import build_parser
from rlcoach_server.db import make_engine

CLI = [sys.executable, "-m", "rlcoach_server.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RLCOACH_SERVER_")}
    env.update(extra)
    return env


def test_parser_accepts_documented_options() -> None:
    args = build_parser().parse_args(
        ["serve", "--host", "0.0.0.0", "--port", "9000", "--workers", "3"]
    )
    assert (args.host, args.port, args.workers, args.dev) == ("0.0.0.0", 9000, 3, False)


def test_migrate_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    r = subprocess.run(
        [*CLI, "migrate", "--dev"],
        env=_env(RLCOACH_SERVER_DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    eng = make_engine(url)
    try:
        assert "users" in inspect(eng).get_table_names()
    finally:
        eng.dispose()


def test_production_config_errors_are_reported_plainly(tmp_path: Path) -> None:
    r = subprocess.run(
        [*CLI, "migrate"], env=_env(), capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert r.returncode != 0
    assert "invalid configuration" in r.stderr and "Traceback" not in r.stderr


def test_serve_dev_needs_no_setup(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [*CLI, "serve", "--dev", "--port", str(port)],
        env=_env(),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "dev server did not start"
                time.sleep(0.2)
        assert r.status_code == 200
        assert "Dev login" in httpx.get(f"{base}/device").text
        code = httpx.post(f"{base}/oauth/device/code", data={"client_id": "rlcoach-cli"}).json()
        assert code["verification_uri"] == f"http://127.0.0.1:{port}/device"
        assert (tmp_path / "rlcoach-server-dev.db").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
