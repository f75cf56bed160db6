"""``rlcoach dashboard``: the interactive terminal dashboard.

Thin by design: read options and rlcoach.toml, build the app, run it. The
TUI lives in ``rlcoach.tui``; Textual is imported inside the command so
``rlcoach --help`` does not pay for it.

Example::

    rlcoach dashboard                 # open on Home, dark theme
    rlcoach dashboard --light --screen games
"""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer()

SCREENS = ("home", "games", "trends", "compare", "insights")


@app.command()
def dashboard(
    screen: str = typer.Option("home", "--screen", "-s",
                               help=f"Screen to open first: {', '.join(SCREENS)}."),
    light: bool = typer.Option(False, "--light", help="Start with the light theme."),
    library: Path | None = typer.Option(
        None, "--library", help="Library file (default: the one `rlcoach ingest` fills)."),
) -> None:
    """Browse your games, trends and comparisons in an interactive dashboard.

    Keys are listed in the footer; ctrl+p opens the command palette.
    """
    from rlcoach.config import load_config
    from rlcoach.errors import ConfigError

    if screen not in SCREENS:
        raise ConfigError(f"unknown screen '{screen}'", hint=f"Use one of: {', '.join(SCREENS)}.")
    config = load_config()  # a broken rlcoach.toml is reported before the screen opens

    from rlcoach.tui.app import DashboardApp
    from rlcoach.tui.data import DashboardData

    data = DashboardData(library, identity=config.identity,
                         session_gap_minutes=config.library.session_gap_minutes,
                         config_path=config.source,
                         target_rank=config.dashboard.target_rank)
    try:
        DashboardApp(data, theme="light" if light else "dark", start=screen).run()
    finally:
        data.close()
