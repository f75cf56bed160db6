"""The ``rlcoach`` command line.

Commands are thin: parse options, call one library function, render. Each
file here holds one Typer sub-app whose commands are merged into the top
level. Heavy imports (numpy, the engine, SQLAlchemy, Textual) happen inside
command functions so ``rlcoach --help`` stays fast.

Exit codes and the mapping of errors to them live in ``rlcoach.cli.exits``
(the root command's class, ``RlcoachGroup``): 0 success, 1 some inputs
failed, 2 usage or configuration error, 130 interrupted.
"""

from __future__ import annotations

import typer

from rlcoach import __version__
from rlcoach.cli.exits import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    RlcoachGroup,
    report_error,
)

__all__ = ["EXIT_INTERRUPTED", "EXIT_OK", "EXIT_SOME_FAILED", "EXIT_USAGE", "app", "main",
           "report_error"]

app = typer.Typer(
    name="rlcoach",
    cls=RlcoachGroup,
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

    for name in ("analyze", "report_html", "schema", "library", "watch", "dashboard", "account",
                 "coach", "insights"):
        try:
            module = importlib.import_module(f"rlcoach.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"rlcoach.cli.{name}":
                continue  # that feature is not part of this build
            raise
        app.add_typer(module.app)


_register()


def main() -> None:
    """The ``rlcoach`` entry point; ``RlcoachGroup`` maps every outcome to an exit code."""
    app()
