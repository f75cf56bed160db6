"""The ``rlcoach-server`` command: ``migrate`` and ``serve --dev`` as real processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
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
        [*CLI, "serve"], env=_env(), capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert r.returncode != 0
    assert "invalid configuration" in r.stderr and "Traceback" not in r.stderr


def test_migrate_needs_only_the_database_url(tmp_path: Path) -> None:
    """A one-shot migration job has the database URL and nothing else (no secrets)."""
    url = f"sqlite:///{tmp_path / 'only-url.db'}"
    r = subprocess.run(
        [*CLI, "migrate"],
        env=_env(RLCOACH_SERVER_DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    r = subprocess.run(
        [*CLI, "migrate"], env=_env(), capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert r.returncode != 0
    assert "RLCOACH_SERVER_DATABASE_URL" in r.stderr and "Traceback" not in r.stderr


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


def _wait_healthy(base: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 40
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.2)


@pytest.mark.usefixtures("_clean_tables")
def test_serve_with_several_workers(tmp_path: Path, settings) -> None:
    """Production-style start: config from the environment, two uvicorn workers, one DB."""
    port = _free_port()
    env = _env(
        RLCOACH_SERVER_DATABASE_URL=settings.database_url,
        RLCOACH_SERVER_PUBLIC_URL="https://coach.example.com",  # behind a TLS proxy
        RLCOACH_SERVER_SECRET_KEY=settings.secret_key.get_secret_value(),
        RLCOACH_SERVER_STRIPE_SECRET_KEY=settings.stripe_secret_key.get_secret_value(),
        RLCOACH_SERVER_STRIPE_WEBHOOK_SECRET=settings.stripe_webhook_secret.get_secret_value(),
        RLCOACH_SERVER_STRIPE_PRICE_ID_PRO=settings.stripe_price_id_pro,
        RLCOACH_SERVER_GOOGLE_CLIENT_ID=settings.google_client_id,
        RLCOACH_SERVER_GOOGLE_CLIENT_SECRET=settings.google_client_secret.get_secret_value(),
    )
    cmd = [*CLI, "serve", "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(
        cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(base, proc)
        # Polling state is shared: whichever worker answers, the second quick poll slows down.
        with httpx.Client(base_url=base) as c:
            code = c.post("/oauth/device/code", data={"client_id": "rlcoach-cli"}).json()
            errors = []
            for _ in range(4):
                r = c.post(
                    "/oauth/token",
                    data={
                        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                        "device_code": code["device_code"],
                        "client_id": "rlcoach-cli",
                    },
                )
                errors.append(r.json()["error"])
        assert errors == ["authorization_pending", "slow_down", "slow_down", "slow_down"]
    finally:
        proc.terminate()
        proc.wait(timeout=15)
