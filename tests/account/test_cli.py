"""The four commands end to end: ``rlcoach login`` runs as a subprocess polling the real
server while the test approves the code in the "browser"; the others run through the
Typer app in-process. Tokens go to the file store (RLCOACH_TOKEN_STORE=file)."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlcoach.account.client import ServerClient, Unauthorized
from rlcoach.account.tokens import FileStore
from rlcoach.cli import app

from .conftest import Browser, DevServer, free_port, library_login, requires_server

pytestmark = [requires_server, pytest.mark.usefixtures("file_store")]
CODE = re.compile(r"^! First copy your one-time code: ([A-Z]{4}-[A-Z]{4})$")
runner = CliRunner()


class LoginProcess:
    """``rlcoach login`` in a subprocess, its stderr read line by line."""

    def __init__(self, server: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rlcoach", "login", "--server", server],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert self.proc.stderr is not None
        self.reader = threading.Thread(target=self._read, args=(self.proc.stderr,), daemon=True)
        self.reader.start()

    def _read(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.put(line.rstrip("\n"))

    def user_code(self, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.lines.get(timeout=deadline - time.monotonic())
            self.seen.append(line)
            if m := CODE.match(line):
                return m.group(1)
        raise AssertionError(f"no code shown: {self.seen}")

    def wait_for_line(self, text: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in s for s in self.seen):
            self.seen.append(self.lines.get(timeout=max(0.01, deadline - time.monotonic())))

    def finish(self, timeout: float = 30) -> tuple[int, str, str]:
        # Not communicate(): it would read stderr too, racing the reader thread.
        self.proc.wait(timeout)
        assert self.proc.stdout is not None
        out = self.proc.stdout.read()
        self.reader.join(5)
        while not self.lines.empty():
            self.seen.append(self.lines.get_nowait())
        return self.proc.returncode, out, "\n".join(self.seen)


def test_login_shows_the_code_waits_for_approval_and_stores_tokens(
    server: DevServer, browser: Browser, rlcoach_home: Path
) -> None:
    login = LoginProcess(server.url)
    code = login.user_code()
    browser.decide(code)
    rc, out, err = login.finish()
    assert rc == 0, err
    assert out == ""  # stdout is for data; the prompt is on stderr, as gh does it
    assert f"Open {server.url}/device in your browser" in err
    assert "Opening" not in err  # not a terminal: no browser
    assert f"Logged in to {server.url} as Dev User" in err
    tokens_file = rlcoach_home / "data" / "tokens.json"
    assert stat.S_IMODE(tokens_file.stat().st_mode) == 0o600
    assert err.count("no system keyring available") == 1
    stored = json.loads(tokens_file.read_text())["servers"][server.url]
    assert stored["access_token"] and stored["refresh_token"]

    # Logging in again replaces (and revokes) the old login, without warning again.
    again = LoginProcess(server.url)
    browser.decide(again.user_code())
    rc, _, err = again.finish()
    assert rc == 0, err
    assert "no system keyring" not in err
    with ServerClient(server.url) as client, pytest.raises(Unauthorized):
        client.me(stored["access_token"])


def test_login_denied(server: DevServer, browser: Browser) -> None:
    login = LoginProcess(server.url)
    browser.decide(login.user_code(), "deny")
    rc, _, err = login.finish()
    assert rc == 1
    assert "error: login denied on the verification page" in err
    assert "Traceback" not in err


def test_login_expired(expiring_server: DevServer) -> None:
    login = LoginProcess(expiring_server.url)
    login.user_code()
    rc, _, err = login.finish()
    assert rc == 1
    assert "the one-time code expired" in err and "rlcoach login" in err


def test_login_ctrl_c_exits_130(server: DevServer) -> None:
    login = LoginProcess(server.url)
    login.user_code()
    login.wait_for_line("Waiting for approval")
    login.proc.send_signal(signal.SIGINT)
    rc, _, err = login.finish()
    assert rc == 130
    assert "Login cancelled." in err and "Traceback" not in err


def test_login_unreachable_server_is_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    rc, out, err = LoginProcess(url).finish()
    assert rc == 1 and out == ""
    assert f"error: cannot reach {url}" in err and "Traceback" not in err


def test_account_table_and_json(server: DevServer, browser: Browser) -> None:
    FileStore().save(server.url, library_login(server, browser))
    result = runner.invoke(app, ["account", "--server", server.url])
    assert result.exit_code == 0, result.output
    lines = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in result.stdout.splitlines())
    assert lines["Account"] == "Dev User <dev.user@dev.local>"
    assert lines["Tier"] == "Free" and lines["Subscription"] == "none"
    assert lines["Renews"] == "—"
    assert lines["Coach"].startswith("$0.00 used, $0.50 left of $0.50 this month; resets ")
    result = runner.invoke(app, ["account", "--json", "--server", server.url])
    data = json.loads(result.stdout)
    assert data["server"] == server.url and data["tier"] == "free"
    assert data["coach"]["remaining"] == data["coach"]["allowance"] == 500_000


def test_account_server_from_env_and_not_logged_in(
    server: DevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RLCOACH_SERVER_URL", server.url)
    result = runner.invoke(app, ["account"])
    assert result.exit_code == 1
    assert f"not logged in to {server.url}" in result.stderr
    assert "rlcoach login" in result.stderr


def test_logout_revokes_and_deletes(server: DevServer, browser: Browser) -> None:
    tokens = library_login(server, browser)
    FileStore().save(server.url, tokens)
    result = runner.invoke(app, ["logout", "--server", server.url])
    assert result.exit_code == 0, result.output
    assert f"Logged out of {server.url}" in result.stderr and "warning" not in result.stderr
    assert FileStore().load(server.url) is None
    with ServerClient(server.url) as client, pytest.raises(Unauthorized):
        client.me(tokens.access_token)
    result = runner.invoke(app, ["logout", "--server", server.url])
    assert result.exit_code == 0 and "Not logged in" in result.stderr


def test_logout_offline_deletes_locally_and_warns(server: DevServer, browser: Browser) -> None:
    offline = f"http://127.0.0.1:{free_port()}"
    FileStore().save(offline, library_login(server, browser))
    result = runner.invoke(app, ["logout", "--server", offline])
    assert result.exit_code == 0, result.output
    assert "warning: could not revoke the tokens at the server" in result.stderr
    assert FileStore().load(offline) is None


def test_upgrade_prints_the_checkout_url(server: DevServer, browser: Browser) -> None:
    FileStore().save(server.url, library_login(server, browser))
    result = runner.invoke(app, ["upgrade", "--server", server.url])
    if not server.checkout_ready:  # no fake Stripe: the server's 502, in one line
        assert result.exit_code == 1
        assert "payment provider is unavailable" in result.stderr
        return
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("https://checkout.stripe.test/c/pay/cs_test_")
    assert len(result.stdout.splitlines()) == 1
