"""``rlcoach insights``: ranked findings over your recent games.

Thin by design: parse options, call ``rlcoach.library.insights.library_insights``,
render (text for people, ``--json`` for scripts).

Example::

    rlcoach insights                          # your last 20 games
    rlcoach insights --last 50 --playlist ranked-doubles --json
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

app = typer.Typer()


@app.command()
def insights(
    last: int = typer.Option(20, "--last", "-n", min=1, help="How many of your latest games."),
    playlist: str | None = typer.Option(None, "--playlist", "-p",
                                        help="Only this playlist, e.g. ranked-doubles."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
    library: Path | None = typer.Option(None, "--library", help="Library file (default: the "
                                        "one `rlcoach ingest` fills).", show_default=False),
) -> None:
    """What to work on: your habits against your lobbies, with moments to rewatch.

    Example: rlcoach insights --last 50 --playlist ranked-doubles
    """
    from rlcoach.cli.render import print_json
    from rlcoach.library import open_library
    from rlcoach.library.insights import library_insights
    from rlcoach.library.queries import ensure_not_empty

    with open_library(library) as lib:
        ensure_not_empty(lib)
        result = library_insights(lib, last=last, playlist=playlist)
    if json_out:
        print_json({"games": result.games, "last": result.last, "playlist": result.playlist,
                    "findings": result.findings, "skipped": result.skipped})
        return
    _render(result)


def _render(result: Any) -> None:
    from rlcoach.cli.render import err_console, out_console, safe

    out = out_console()
    scope = f" in {safe(result.playlist)}" if result.playlist else ""
    out.print(f"[bold]Insights[/] over your last {result.games} game(s){scope}")
    if not result.findings:
        out.print("Nothing stands out against your lobbies.")
    for n, f in enumerate(result.findings, 1):
        out.print(f"\n[bold]{n}. {safe(f['claim'])}[/]  [dim]{f['severity']}, effect "
                  f"{f['effect']:g}[/]")
        for b in f["baselines"]:
            spread = f" ± {b['spread']:g}" if b.get("spread") else ""
            out.print(f"   {b['kind']}: {b['value']:g}{spread} (n = {b['n']}; "
                      f"{safe(b['source'])})")
        for m in f["moments"]:
            when = m.get("clock") or f"replay {int(m['time'] // 60)}:{int(m['time'] % 60):02d}"
            out.print(f"   rewatch game {m['game_id']} ({m['played_at'][:16]}) {when}: "
                      f"{safe(m['what'])}")
        out.print(f"   [green]Practise:[/] {safe(f['practice'])}")
    for note in result.skipped:
        err_console().print(f"[dim]not judged: {safe(note)}[/]", highlight=False)
