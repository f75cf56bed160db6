"""Account commands: ``login``, ``logout``, ``account``, ``upgrade``, ``billing``,
``delete-account``.

Thin by design: resolve the server URL, call ``rlcoach.account``, render. The login prompt
follows ``gh auth login`` (one-time code, then the URL) on stderr, as do progress and
warnings; stdout carries only data (``account``, ``--json``, the checkout URL). The browser
is opened only when stdout is a terminal. Server and account failures
(``AccountError``) are one line plus a hint and exit 1, a bad ``--server`` exits 2
(mapped in ``rlcoach.cli.exits``); Ctrl-C during login exits 130.
httpx and keyring are imported inside the commands so ``rlcoach --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer

from rlcoach.cli.exits import EXIT_INTERRUPTED

if TYPE_CHECKING:
    from rlcoach.account.session import Session

app = typer.Typer()

_SERVER = typer.Option(None, "--server", help="Server URL (default: RLCOACH_SERVER_URL, else "
                       "\\[server] url in rlcoach.toml).", show_default=False)
_NO_BROWSER = typer.Option(False, "--no-browser", help="Do not open a web browser.")


def _err(text: str) -> None:
    typer.echo(text, err=True)


@contextmanager
def _session(server: str | None) -> Iterator[Session]:
    from rlcoach.account.client import ServerClient, is_plaintext_remote, resolve_server_url
    from rlcoach.account.session import Session
    from rlcoach.account.tokens import open_store

    url = resolve_server_url(server)
    if is_plaintext_remote(url):
        _err(f"warning: {url} is plain http; your tokens travel unencrypted. Use https://.")
    with ServerClient(url) as client:
        yield Session(client, open_store(on_warning=_err))


def _open_browser(url: str, no_browser: bool) -> None:
    if no_browser or not sys.stdout.isatty():
        return
    import webbrowser

    with suppress(Exception):  # no browser is fine: the URL is on screen
        webbrowser.open(url)


@app.command()
def login(server: str | None = _SERVER, no_browser: bool = _NO_BROWSER) -> None:
    """Sign in to the rlcoach server with a one-time code (device login).

    Shows a code, opens the verification page (when run in a terminal), and waits until
    you approve it there. Tokens are kept in the system keyring, else in a file only you
    can read.

    Example: rlcoach login
             rlcoach login --server http://127.0.0.1:8000
    """
    from rlcoach.account import device_flow
    from rlcoach.errors import AccountError

    with _session(server) as session:
        try:
            flow = device_flow.start(session.client)
            _err(f"! First copy your one-time code: {flow.user_code}")
            _err(f"Open {flow.verification_uri} in your browser and enter the code "
                 f"(it expires in {int(flow.expires_in // 60) or 1} min).")
            if not no_browser and sys.stdout.isatty():
                _err(f"Opening {flow.verification_uri} in your browser...")
                _open_browser(flow.verification_uri_complete or flow.verification_uri, False)
            _err("Waiting for approval... (Ctrl-C to cancel)")
            tokens = device_flow.wait_for_tokens(flow)
        except KeyboardInterrupt:
            _err("Login cancelled.")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        old = session.store.load(session.server)
        session.save(tokens)
        if old is not None and old.refresh_token:
            with suppress(AccountError):  # the previous login here is no longer needed
                session.client.revoke(old.refresh_token)
        who = ""
        with suppress(AccountError):
            me = session.me()
            who = f" as {me.get('name') or me.get('email') or me.get('id')}"
        _err(f"✓ Logged in to {session.server}{who}")


@app.command()
def logout(server: str | None = _SERVER) -> None:
    """Sign out: revoke the tokens at the server and delete them here.

    Works offline too: the tokens are deleted locally and you are warned that the server
    could not be told.

    Example: rlcoach logout
    """
    with _session(server) as session:
        result = session.logout()
        if not result.had_tokens:
            _err(f"Not logged in to {session.server}; nothing to do.")
            return
        if not result.revoked:
            _err(f"warning: could not revoke the tokens at the server ({result.problem}); "
                 "they were deleted here and expire on their own.")
        _err(f"✓ Logged out of {session.server}")


@app.command()
def account(server: str | None = _SERVER, json_out: bool = typer.Option(
        False, "--json", help="Print the server's account JSON for scripts.")) -> None:
    """Show your rlcoach account: tier, subscription, renewal and coach allowance.

    Example: rlcoach account
             rlcoach account --json | jq .coach.remaining
    """
    with _session(server) as session:
        me = session.me()
        if json_out:
            from rlcoach.cli.render import print_json

            print_json({"server": session.server, **me})
            return
        for label, value in _summary(session.server, me):
            typer.echo(f"{label:<14}{value}")


@app.command()
def upgrade(server: str | None = _SERVER, no_browser: bool = _NO_BROWSER) -> None:
    """Subscribe to rlcoach Pro: prints a secure checkout link and opens it.

    Example: rlcoach upgrade
    """
    _stripe_link(server, no_browser, lambda s: s.checkout(), page="the checkout page",
                 on_409=("you already have rlcoach Pro", "See it with `rlcoach account`."),
                 otherwise="Open the link above to subscribe; `rlcoach account` shows Pro "
                 "once paid.")


@app.command()
def billing(server: str | None = _SERVER, no_browser: bool = _NO_BROWSER) -> None:
    """Manage your subscription: payment method, invoices, cancel (Stripe's billing page).

    Prints a secure link to your billing page and opens it when run in a terminal.

    Example: rlcoach billing
    """
    _stripe_link(server, no_browser, lambda s: s.portal(), page="your billing page",
                 on_409=("you have no subscription to manage yet",
                         "Subscribe with `rlcoach upgrade`."))


def _stripe_link(server: str | None, no_browser: bool, fetch: Callable[[Session], str], *,
                 page: str, on_409: tuple[str, str], otherwise: str | None = None) -> None:
    """Print a Stripe page's URL (stdout) and open it when stdout is a terminal."""
    from rlcoach.account.client import ServerRefused
    from rlcoach.errors import AccountError

    with _session(server) as session:
        try:
            url = fetch(session)
        except ServerRefused as exc:
            if exc.status == 409:
                raise AccountError(on_409[0], hint=on_409[1]) from None
            raise
        typer.echo(url)
        if not no_browser and sys.stdout.isatty():
            _err(f"Opening {page} in your browser...")
            _open_browser(url, False)
        elif otherwise:
            _err(otherwise)


@app.command("delete-account")
def delete_account(server: str | None = _SERVER, yes: bool = typer.Option(
        False, "--yes", help="Do not ask for confirmation (for scripts).")) -> None:
    """Delete your rlcoach account at the server, for good.

    Cancels a running subscription first (no further charges), then deletes the
    account, its coach usage and its logins; the tokens here are deleted too. Your
    replays, reports and library never leave this computer and are not touched.

    Example: rlcoach delete-account
             rlcoach delete-account --yes
    """
    from rlcoach.errors import InputError

    with _session(server) as session:
        session.tokens()  # not logged in: say so before asking anything
        if not yes:
            if not sys.stdin.isatty():
                raise InputError("refusing to delete the account without confirmation",
                                 hint="Run it in a terminal, or pass --yes.")
            if not typer.confirm(f"Delete your account at {session.server}? This cannot be "
                                 "undone", err=True):
                _err("Nothing deleted.")
                return
        session.delete_account()  # a 502 (Stripe down) deletes nothing and says so
        _err(f"✓ Account deleted at {session.server}; logged out here.")


# --- rendering ------------------------------------------------------------------------


def _date(value: Any) -> str:
    if not isinstance(value, str) or not value:
        return "—"
    try:
        return datetime.fromisoformat(value).date().isoformat()
    except ValueError:
        return value


def _money(units: Any, unit: str) -> str:
    if not isinstance(units, int | float):
        return "?"
    if unit == "micro_usd":
        return f"${units / 1_000_000:.2f}"
    return f"{units:g} {unit}"


def _summary(server: str, me: dict[str, Any]) -> list[tuple[str, str]]:
    who = me.get("name") or me.get("id") or "?"
    if me.get("email"):
        who = f"{who} <{me['email']}>"
    status = me.get("subscription_status") or "none"
    rows = [
        ("Account", str(who)),
        ("Server", server),
        ("Tier", str(me.get("tier", "?")).capitalize()),
        ("Subscription", str(status)),
    ]
    if me.get("grace_period_ends_at"):
        rows.append(("Pro until", _date(me["grace_period_ends_at"]) + " (payment overdue)"))
    elif me.get("current_period_end"):
        label = "Ends" if me.get("cancel_at_period_end") else "Renews"
        rows.append((label, _date(me["current_period_end"])))
    else:
        rows.append(("Renews", "—"))
    coach = me.get("coach")
    if isinstance(coach, dict):
        unit = str(coach.get("unit", "micro_usd"))
        used = coach.get("used", 0)
        reserved = coach.get("reserved", 0)
        text = (f"{_money(used, unit)} used, {_money(coach.get('remaining'), unit)} left "
                f"of {_money(coach.get('allowance'), unit)} this month")
        if reserved:
            text += f" ({_money(reserved, unit)} in flight)"
        if coach.get("period_resets_at"):
            text += f"; resets {_date(coach['period_resets_at'])}"
        rows.append(("Coach", text))
    return rows
