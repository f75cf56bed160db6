"""Run the real server (``uvicorn --factory rlcoach_server.main:create_app_from_env``) in a
child process, configured only through ``RLCOACH_SERVER_*`` environment variables.

Why a process and not a thread: load tests must not share the load generator's GIL, and
one uvicorn worker process is what an operator runs (``--workers N`` is N of these).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import httpx

from rlcoach_server.config import Settings


def settings_env(settings: Settings) -> dict[str, str]:
    """``settings`` as the environment variables ``Settings()`` reads back."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        if isinstance(value, dict | list):
            value = json.dumps(value)
        env[f"RLCOACH_SERVER_{name.upper()}"] = str(value)
    return env


@dataclass(frozen=True)
class Running:
    url: str
    port: int
    pid: int

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory so far (VmHWM), in MiB."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server_process(
    settings: Settings, *uvicorn_args: str, stderr: IO[bytes] | None = None
) -> Iterator[Running]:
    """Start one uvicorn worker on a free loopback port; yields its URL, port and pid.
    ``stderr``: a file for the worker's logs (default: the test's stderr)."""
    port = _free_port()
    env = {**os.environ, **settings_env(settings)}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "rlcoach_server.main:create_app_from_env",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        *uvicorn_args,
    ]
    proc = subprocess.Popen(cmd, env=env, stderr=stderr)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("server process did not start")
            time.sleep(0.1)
        yield Running(url, port, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
