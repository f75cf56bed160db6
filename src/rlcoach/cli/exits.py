"""Exit codes, and the one place that maps exceptions to them.

0 success, 1 some inputs failed (or the server/account failed), 2 usage or
configuration error, 130 interrupted.

Typer 0.29 bundles its own copy of click (``typer._click``) while older typers
use the ``click`` package; a usage error can come from either. ``RlcoachGroup``
is the root command's class: its ``main`` runs the command non-standalone and
maps whatever escapes (our ``RlcoachError``, click's usage errors and aborts
from both copies, ``KeyboardInterrupt``, ``Exit``) to one line on stderr and an
exit code here, so no command maps codes itself and no user mistake prints a
traceback.

Tested with typer 0.29.2 (bundled click; pinned ``>=0.29,<0.30``) and with
typer 0.15.4 over the ``click`` package, where every case of
``tests/cli/test_usage_errors.py`` passes except the four whose message
needs a parameter's metavar: typer 0.15 itself crashes there with click 8.5.
"""

from __future__ import annotations

import sys
from typing import Any

from typer.core import TyperGroup

from rlcoach.errors import AccountError, ReplayError, RlcoachError

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _click_modules() -> list[Any]:
    """Every copy of click's exception module that can raise at us."""
    modules: list[Any] = []
    try:
        from typer._click import exceptions as bundled  # typer >= 0.29

        modules.append(bundled)
    except ImportError:
        pass
    try:
        from click import exceptions as package  # typer < 0.29 (and anything using click)

        modules.append(package)
    except ImportError:
        pass
    return modules


def _classes(name: str) -> tuple[type[BaseException], ...]:
    found = [getattr(m, name) for m in _click_modules() if hasattr(m, name)]
    if name in ("Exit", "Abort"):
        import typer

        found.append(getattr(typer, name))
    return tuple(found)


def one_line(text: str) -> str:
    """Collapse whitespace (newlines from a message or a path) to keep the error one line."""
    return " ".join(str(text).split())


def report_error(exc: RlcoachError) -> None:
    """One line on stderr, plus the hint when there is one."""
    from rlcoach.cli.render import err_console, safe

    err_console().print(f"[bold red]error:[/] {safe(one_line(exc.message))}", highlight=False)
    if exc.hint:
        err_console().print(f"[dim]hint: {safe(one_line(exc.hint))}[/]", highlight=False)


def code_for_error(exc: RlcoachError) -> int:
    """Account/server and replay failures are failures (1); the rest is usage/config (2)."""
    return EXIT_SOME_FAILED if isinstance(exc, AccountError | ReplayError) else EXIT_USAGE


def _usage_line(exc: Any) -> str:
    """click's message plus where to look, in one line."""
    ctx = getattr(exc, "ctx", None)
    message = one_line(exc.format_message())
    if ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return message


def handle(exc: BaseException) -> int:
    """Print what the user needs to know about ``exc`` and return its exit code."""
    if isinstance(exc, RlcoachError):
        report_error(exc)
        return code_for_error(exc)
    if isinstance(exc, KeyboardInterrupt):
        sys.stderr.write("\ninterrupted\n")
        return EXIT_INTERRUPTED
    if isinstance(exc, _classes("Exit")):
        return int(getattr(exc, "exit_code", EXIT_OK))
    if isinstance(exc, _classes("Abort")):
        if isinstance(exc.__context__, EOFError):  # stdin closed at a prompt
            sys.stderr.write("\nerror: no answer (stdin is closed)\n")
            return EXIT_USAGE
        sys.stderr.write("\ninterrupted\n")
        return EXIT_INTERRUPTED
    if isinstance(exc, _classes("NoArgsIsHelpError")):
        ctx = exc.ctx  # type: ignore[attr-defined]
        sys.stdout.write(ctx.get_help() + "\n")
        sys.stderr.write(f"error: missing command (see '{ctx.command_path} --help')\n")
        return EXIT_USAGE
    if isinstance(exc, _classes("UsageError")):
        sys.stderr.write(f"error: {_usage_line(exc)}\n")
        return EXIT_USAGE
    if isinstance(exc, _classes("ClickException")):
        sys.stderr.write(f"error: {one_line(exc.format_message())}\n")  # type: ignore[attr-defined]
        return int(getattr(exc, "exit_code", EXIT_SOME_FAILED))
    raise exc


class RlcoachGroup(TyperGroup):
    """The root command: runs non-standalone and maps every outcome via ``handle``."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False  # errors come back to us instead of being printed
        try:
            rv = super().main(*args, **kwargs)
        except SystemExit:
            raise
        except BaseException as exc:  # handle() re-raises what it does not know
            sys.exit(handle(exc))
        sys.exit(rv if isinstance(rv, int) else EXIT_OK)
