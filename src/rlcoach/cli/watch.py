"""``rlcoach watch``: catch up on the replay folder, then follow it.

Thin like the other library commands: the catching up, the stability rule and
ingest live in ``rlcoach.library.watch``; this file parses options and prints one
line per new game (stdout) and per failed file (stderr). watchdog is imported
inside the command so ``rlcoach --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from rlcoach.cli.exits import EXIT_INTERRUPTED
from rlcoach.cli.library import _LIBRARY, _num

app = typer.Typer()


@app.command()
def watch(
    folders: list[Path] = typer.Argument(None, help="Folders to follow (default: the Demos "
                                         "folder, or \\[library] demos_dirs).",
                                         show_default=False),
    poll: bool = typer.Option(False, "--poll", help="Poll instead of OS events (network "
                              "drives, some VMs)."),
    stable_seconds: float = typer.Option(2.0, "--stable-seconds", min=0.0,
                                         help="Ingest a replay once its size has not "
                                         "changed for this long."),
    new_only: bool = typer.Option(False, "--new-only", help="Skip the replays already in "
                                  "the folders; only follow new ones."),
    library: Path | None = _LIBRARY,
) -> None:
    """Follow your replay folder and add each new game as it is saved.

    First adds the replays already in the folder that the library lacks
    (skip with --new-only), then prints one line per new game: result,
    score and your most notable stats against your recent average. Stop
    with Ctrl-C (exit 130).

    Example: rlcoach watch
             rlcoach watch //nas/replays --poll --stable-seconds 5
    """
    import threading

    from rlcoach.cli.render import err_console, safe
    from rlcoach.config import load_config
    from rlcoach.library import open_library
    from rlcoach.library.ingest import default_inputs
    from rlcoach.library.watch import Watcher

    config = load_config()
    targets = list(folders) if folders else default_inputs(config)
    stop = threading.Event()
    with open_library(library) as lib:
        watcher = Watcher(lib, targets, stable_seconds=stable_seconds, poll=poll,
                          config=config, on_game=_print_news, on_file=_print_problem)
        try:
            with watcher:  # observing first: nothing saved during the catch-up is missed
                if not new_only:
                    _catch_up(watcher)
                err_console().print(f"Watching {safe(', '.join(str(f) for f in watcher.folders))} "
                                    f"({'polling' if poll else 'events'}; Ctrl-C to stop)")
                watcher.follow(stop)
        except KeyboardInterrupt:
            stop.set()
            err_console().print("stopped")
            raise typer.Exit(EXIT_INTERRUPTED) from None


def _catch_up(watcher: Any) -> None:
    """Ingest what is already in the watched folders, with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from rlcoach.cli.render import err_console

    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                  MofNCompleteColumn(), console=err_console(), transient=True) as progress:
        task = progress.add_task("Catching up", total=None)

        def on_result(result: Any) -> None:
            _print_problem(result)
            progress.advance(task)

        summary = watcher.catch_up(on_result=on_result)
    if summary is not None:
        err_console().print(f"Already in the folder: {summary.new} new, {summary.duplicate} "
                            f"duplicate, {len(summary.failed)} failed, {summary.unchanged} "
                            f"unchanged")


def _print_news(news: Any) -> None:
    """One line per new game: result, score, notable stats vs your average."""
    from rlcoach.cli.render import out_console, safe

    g = news.game
    if g.result is None:
        head = f"[bold]{g.score['blue']}-{g.score['orange']}[/]"
    else:
        color = "green" if g.result == "win" else "red"
        head = f"[bold {color}]{g.result.upper()}[/] [bold]{g.my_score}-{g.their_score}[/]"
    parts = [f"{head} {safe(g.playlist_name or g.playlist or '')} · {safe(g.map_name or '')}"]
    for n in news.notables:
        arrow = "▲" if n.delta > 0 else "▼"
        color = "dim" if n.better is None else "green" if n.better else "red"
        parts.append(f"{safe(n.label)} {_num(n.value)} [{color}]{arrow} avg {_num(n.average)}[/]")
    out_console().print("  ".join(parts), highlight=False)


def _print_problem(result: Any) -> None:
    if result.status == "failed":
        from rlcoach.cli.render import err_console, safe

        err_console().print(f"[red]failed[/] {safe(result.path)}: {result.error_kind}: "
                            f"{safe(result.error)}",
                            highlight=False)
