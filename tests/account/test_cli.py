"""The four commands end to end: ``rlcoach login`` runs as a subprocess polling the real
server while the test approves the code in the "browser"; the others run through the
Typer app in-process. Tokens go to the file store (RLCOACH_TOKEN_STORE=file)."""

from __future__ import annotations

import json
import os
import pty
import queue
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

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
    """``rlcoach <command>`` (login by default) in a subprocess, stderr read line by line;
    with ``tty`` its stdout is a pseudo-terminal, as when a person runs it."""

    def __init__(self, server: str, command: str = "login", tty: bool = False,
                 env: dict[str, str] | None = None) -> None:
        self.tty_fd: int | None = None
        stdout: int = subprocess.PIPE
        if tty:
            self.tty_fd, stdout = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rlcoach", command, "--server", server],
            stdout=stdout, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})},
        )
        if tty:
            os.close(stdout)
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
        if self.tty_fd is not None:
            out = _drain_tty(self.tty_fd)
        else:
            assert self.proc.stdout is not None
            out = self.proc.stdout.read()
        self.reader.join(5)
        while not self.lines.empty():
            self.seen.append(self.lines.get_nowait())
        return self.proc.returncode, out, "\n".join(self.seen)


def _drain_tty(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.fixture
def browser_log(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A BROWSER command (webbrowser honours it) that records the URLs it is asked to open."""
    log = tmp_path / "opened.txt"
    script = tmp_path / "fake-browser"
    script.write_text(f"#!{sys.executable}\nimport sys\n"
                      f"open({str(log)!r}, 'a').write(sys.argv[1] + '\\n')\n")
    script.chmod(0o755)
    return {"BROWSER": str(script)}, log


def test_login_shows_the_code_waits_for_approval_and_stores_tokens(
    server: DevServer, browser: Browser, rlcoach_home: Path,
    browser_log: tuple[dict[str, str], Path],
) -> None:
    login = LoginProcess(server.url, env=browser_log[0])
    code = login.user_code()
    browser.decide(code)
    rc, out, err = login.finish()
    assert rc == 0, err
    assert out == ""  # stdout is for data; the prompt is on stderr, as gh does it
    assert f"Open {server.url}/device in your browser" in err
    assert "Opening" not in err and not browser_log[1].exists()  # not a terminal
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


def test_login_on_a_terminal_opens_the_browser_on_the_code(
    server: DevServer, browser: Browser, browser_log: tuple[dict[str, str], Path]
) -> None:
    env, opened = browser_log
    login = LoginProcess(server.url, tty=True, env=env)
    code = login.user_code()
    browser.decide(code)
    rc, _, err = login.finish()
    assert rc == 0, err
    assert f"Opening {server.url}/device in your browser..." in err
    assert opened.read_text().splitlines() == [f"{server.url}/device?user_code={code}"]


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


def test_upgrade_prints_the_checkout_url(
    server: DevServer, browser: Browser, browser_log: tuple[dict[str, str], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BROWSER", browser_log[0]["BROWSER"])
    FileStore().save(server.url, library_login(server, browser))
    result = runner.invoke(app, ["upgrade", "--server", server.url])
    assert not browser_log[1].exists()  # not a terminal: no browser
    if not server.checkout_ready:  # no fake Stripe: the server's 502, in one line
        assert result.exit_code == 1
        assert "payment provider is unavailable" in result.stderr
        return
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("https://checkout.stripe.test/c/pay/cs_test_")
    assert len(result.stdout.splitlines()) == 1


def test_upgrade_on_a_terminal_opens_the_checkout(
    server: DevServer, browser: Browser, browser_log: tuple[dict[str, str], Path]
) -> None:
    if not server.checkout_ready:
        pytest.skip("server/tests/fake_stripe.py is not available")
    FileStore().save(server.url, library_login(server, browser))
    env, opened = browser_log
    rc, out, err = LoginProcess(server.url, "upgrade", tty=True, env=env).finish()
    assert rc == 0, err
    url = out.strip()
    assert url.startswith("https://checkout.stripe.test/") and "Opening the checkout" in err
    assert opened.read_text().splitlines() == [url]


def test_plain_http_to_a_remote_host_is_warned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLCOACH_SERVER_URL", "http://rlcoach.invalid")
    result = runner.invoke(app, ["account"])
    assert "plain http; your tokens travel unencrypted" in result.stderr
    assert result.exit_code == 1 and "not logged in" in result.stderr


def _login_as(server: DevServer, name: str) -> Any:
    """Tokens of a user of its own, so deleting or billing it touches no other test."""
    browser = Browser(server.url, name=name)
    try:
        return library_login(server, browser)
    finally:
        browser.close()


def test_billing_without_a_subscription_is_one_line(server: DevServer) -> None:
    FileStore().save(server.url, _login_as(server, "Never Paid"))
    result = runner.invoke(app, ["billing", "--server", server.url])
    assert result.exit_code == 1
    assert "no subscription to manage yet" in result.stderr
    assert "rlcoach upgrade" in result.stderr and "Traceback" not in result.output


def test_billing_after_checkout_prints_the_portal_url(server: DevServer) -> None:
    if not server.checkout_ready:
        pytest.skip("server/tests/fake_stripe.py is not available")
    FileStore().save(server.url, _login_as(server, "Paying User"))
    assert runner.invoke(app, ["upgrade", "--server", server.url]).exit_code == 0  # a customer
    result = runner.invoke(app, ["billing", "--server", server.url])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("https://billing.stripe.test/p/session/bps_")
    assert len(result.stdout.splitlines()) == 1


def test_delete_account_off_a_terminal_needs_yes(server: DevServer, rlcoach_home: Path) -> None:
    tokens = _login_as(server, "Careful User")
    FileStore().save(server.url, tokens)
    env = {**os.environ, "RLCOACH_HOME": str(rlcoach_home), "RLCOACH_TOKEN_STORE": "file"}
    proc = subprocess.run(
        [sys.executable, "-m", "rlcoach", "delete-account", "--server", server.url],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "without confirmation" in proc.stderr and "--yes" in proc.stderr
    assert "Traceback" not in proc.stderr
    with ServerClient(server.url) as client:  # nothing was deleted
        assert client.me(tokens.access_token)["name"] == "Careful User"


def test_delete_account_deletes_it_at_the_server_and_here(server: DevServer) -> None:
    tokens = _login_as(server, "Leaving User")
    FileStore().save(server.url, tokens)
    result = runner.invoke(app, ["delete-account", "--yes", "--server", server.url])
    assert result.exit_code == 0, result.output
    assert f"Account deleted at {server.url}" in result.stderr
    assert FileStore().load(server.url) is None
    with ServerClient(server.url) as client, pytest.raises(Unauthorized):
        client.me(tokens.access_token)
    again = runner.invoke(app, ["delete-account", "--yes", "--server", server.url])
    assert again.exit_code == 1 and "not logged in" in again.stderr
