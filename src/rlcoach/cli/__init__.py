"""The ``rlcoach`` command line.

Commands are thin: parse options, call one library function, render. Each
file here holds one Typer sub-app whose commands are merged into the top
level. Heavy imports (numpy, the engine, SQLAlchemy, Textual) happen inside
command functions so ``rlcoach --help`` stays fast.

This module is the only place that turns errors into exit codes:
0 success, 1 some inputs failed, 2 usage or configuration error,
130 interrupted.
"""

from __future__ import annotations

import sys

import typer

from rlcoach import __version__
from rlcoach.errors import RlcoachError

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="rlcoach",
    help="Rocket League replays into ballchasing-accurate stats and coaching.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rlcoach {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Rocket League replays into ballchasing-accurate stats and coaching."""


def _register() -> None:
    # Sub-apps are merged at the top level (``rlcoach analyze``, not ``rlcoach x analyze``).
    import importlib

    for name in ("analyze", "schema", "library", "watch", "dashboard", "account"):
        try:
            module = importlib.import_module(f"rlcoach.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"rlcoach.cli.{name}":
                continue  # that feature is not part of this build
            raise
        app.add_typer(module.app)


_register()


def report_error(exc: RlcoachError) -> None:
    """One line on stderr, plus the hint when there is one."""
    from rlcoach.cli.render import err_console

    err_console().print(f"[bold red]error:[/] {exc.message}", highlight=False, markup=True)
    if exc.hint:
        err_console().print(f"[dim]hint: {exc.hint}[/]", highlight=False)


def main() -> None:
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else EXIT_OK)
    except RlcoachError as exc:
        report_error(exc)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click's usage errors and aborts
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(EXIT_USAGE)
        if isinstance(exc, click.exceptions.Abort):
            sys.stderr.write("interrupted\n")
            sys.exit(EXIT_INTERRUPTED)
        raise
