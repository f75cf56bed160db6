"""Library commands: ``ingest``, ``games``, ``trends``, ``export`` (``watch`` is in
``rlcoach.cli.watch``).

Thin by design: parse options, call one ``rlcoach.library`` function,
render. Tables are for people (rich, on stdout); ``--json`` and CSV are for
scripts; progress and hints go to stderr. SQLAlchemy and the
analysis pipeline are imported inside the commands so ``rlcoach --help``
stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

app = typer.Typer()

_LIBRARY = typer.Option(None, "--library", help="Library file (default: in the rlcoach data "
                        "folder; RLCOACH_HOME moves it).", show_default=False)
_PLAYLIST = typer.Option(None, "--playlist", "-p", help="Only this playlist, e.g. ranked-doubles "
                         "(repeat for several).")
_SINCE = typer.Option(None, "--since", help="Only games on or after this date (YYYY-MM-DD).")
_UNTIL = typer.Option(None, "--until", help="Only games on or before this date (YYYY-MM-DD).")
_JSON = typer.Option(False, "--json", help="Print JSON for scripts instead of a table.")


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(None, help="Replay files or folders (default: the "
                                       "game's Demos folder, or \\[library] demos_dirs).",
                                       show_default=False),
    jobs: int | None = typer.Option(None, "--jobs", "-j", min=1, help="Analysis processes "
                                    "(default: \\[analysis] jobs, else one per core)."),
    retry_failed: bool = typer.Option(False, "--retry-failed",
                                      help="Analyze again files that failed before."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Re-analyze instead of reading cached "
                                  "analyses (the cache is refreshed)."),
    reanalyze: bool = typer.Option(False, "--reanalyze", help="Instead of adding files, "
                                   "analyze again the stored games whose report is older "
                                   "than this rlcoach's (new metrics, coaching, insights)."),
    json_out: bool = _JSON,
    library: Path | None = _LIBRARY,
) -> None:
    """Add replays to your library (new files only; safe to run again).

    Example: rlcoach ingest            (your Demos folder)
             rlcoach ingest ~/replays x.replay --jobs 4
             rlcoach ingest --reanalyze   (after upgrading rlcoach)
    """
    if reanalyze:
        _reanalyze(jobs, not no_cache, json_out, library)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from rlcoach.cli.render import err_console, out_console, print_json, safe
    from rlcoach.library import ingest as ing
    from rlcoach.library import open_library

    with open_library(library) as lib, Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(),
        MofNCompleteColumn(), console=err_console(), transient=True,
    ) as progress:
        task = progress.add_task("Analyzing", total=None)

        def on_plan(plan: ing.Plan) -> None:
            total = len(plan.settled) + len(plan.to_analyze) + sum(map(len, plan.copies.values()))
            progress.update(task, total=total)

        summary = ing.ingest(
            lib, paths or None, jobs=jobs, retry_failed=retry_failed, use_cache=not no_cache,
            on_plan=on_plan, on_result=lambda _r: progress.advance(task),
        )
    failed = summary.failed
    for problem in summary.problems:
        err_console().print(f"[yellow]skipped:[/] {safe(problem)}", highlight=False)
    if json_out:
        print_json({
            "new": summary.new, "duplicate": summary.duplicate, "unchanged": summary.unchanged,
            "failed": [{"path": str(r.path), "kind": r.error_kind, "error": r.error}
                       for r in failed],
            "seconds": round(summary.seconds, 3),
        })
    else:
        out = out_console()
        out.print(f"[bold]{summary.new}[/] new, {summary.duplicate} duplicate, "
                  f"{'[red]' if failed else ''}{len(failed)} failed{'[/]' if failed else ''}, "
                  f"{summary.unchanged} unchanged ({summary.seconds:.1f} s)")
        for r in failed:
            out.print(f"  [red]failed[/] {safe(r.path)}: {r.error_kind}: {safe(r.error)}",
                      highlight=False)
        if failed:
            err_console().print("[dim]hint: failed files are skipped from now on; "
                                "`rlcoach ingest --retry-failed` tries them again.[/]")
    if failed:
        from rlcoach.cli.exits import EXIT_SOME_FAILED

        raise typer.Exit(EXIT_SOME_FAILED)


@app.command()
def games(
    last: int = typer.Option(20, "--last", "-n", min=1, help="How many games."),
    playlist: list[str] = _PLAYLIST,
    result: str | None = typer.Option(None, "--result", help="win or loss."),
    teammate: str | None = typer.Option(None, "--teammate", help="Only games with this "
                                        "teammate (part of the name)."),
    search: str | None = typer.Option(None, "--search", "-s", help="Text in the map, "
                                      "playlist or any player's name."),
    since: str | None = _SINCE,
    until: str | None = _UNTIL,
    sort: str = typer.Option("date", "--sort", help="date, playlist, map, duration, result, "
                             "or a metric (bpm, core.goals, ...)."),
    ascending: bool = typer.Option(False, "--asc", help="Smallest / oldest first."),
    json_out: bool = _JSON,
    library: Path | None = _LIBRARY,
) -> None:
    """List your games, newest first, with your result and key stats.

    Example: rlcoach games --last 20 --playlist ranked-doubles
             rlcoach games --result loss --teammate kaydop --json
    """
    from dataclasses import asdict

    from rlcoach.cli.render import print_json
    from rlcoach.library import open_library
    from rlcoach.library import queries as q

    flt = _filter(playlist, since, until, result=result, teammate=teammate, text=search)
    with open_library(library) as lib:
        q.ensure_not_empty(lib)
        rows = q.recent_games(lib, filters=flt, limit=last, sort=sort, descending=not ascending)
        if json_out:
            print_json([{**asdict(r), "played_at": r.played_at.isoformat()} for r in rows])
            return
        if not rows:
            _no_match(lib)
            return
        if rows and all(r.my_team is None for r in rows):
            _identity_tip(lib)
    _games_table(rows)


@app.command()
def trends(
    metrics: list[str] = typer.Argument(..., help="Metric names: bpm, avg_speed, or "
                                        "group.key like core.goals."),
    last: int = typer.Option(50, "--last", "-n", min=1, help="How many of your games."),
    playlist: list[str] = _PLAYLIST,
    since: str | None = _SINCE,
    until: str | None = _UNTIL,
    window: int = typer.Option(10, "--window", "-w", min=1, help="Rolling average size."),
    json_out: bool = _JSON,
    library: Path | None = _LIBRARY,
) -> None:
    """Show how your stats move over your recent games.

    Example: rlcoach trends bpm avg_speed percent_supersonic_speed --last 50
             rlcoach trends core.goals --playlist ranked-duel --json
    """
    from dataclasses import asdict

    from rlcoach.cli.render import print_json
    from rlcoach.library import open_library
    from rlcoach.library import queries as q

    for name in metrics:  # unknown names fail before touching the library
        q.resolve_metric(name)
    with open_library(library) as lib:
        q.ensure_not_empty(lib)
        series = q.trends(lib, metrics, last=last, window=window,
                          filters=_filter(playlist, since, until))
    if json_out:
        print_json([asdict(s) for s in series])
        return
    _trends_table(series, window)


@app.command()
def export(
    output: Path = typer.Argument(..., help="CSV file to write, or - for stdout."),
    playlist: list[str] = _PLAYLIST,
    since: str | None = _SINCE,
    until: str | None = _UNTIL,
    library: Path | None = _LIBRARY,
) -> None:
    """Write every game as CSV: one row per (game, player), every metric a column.

    Example: rlcoach export games.csv
             rlcoach export - --playlist ranked-standard | head
    """
    import sys

    from rlcoach.cli.render import err_console, safe
    from rlcoach.errors import OutputError
    from rlcoach.library import open_library
    from rlcoach.library import queries as q
    from rlcoach.library.export import export_csv

    with open_library(library) as lib:
        q.ensure_not_empty(lib)
        flt = _filter(playlist, since, until)
        if str(output) == "-":
            n = export_csv(lib, sys.stdout, filters=flt)
        else:
            try:
                with output.open("w", newline="", encoding="utf-8") as fh:
                    n = export_csv(lib, fh, filters=flt)
            except OSError as exc:
                raise OutputError(f"cannot write {output}: {exc.strerror or exc}") from None
    err_console().print(f"Wrote {n} rows to {'stdout' if str(output) == '-' else safe(output)}",
                        highlight=False)


# -- helpers shared by the commands ---------------------------------------


def _filter(playlist: list[str] | None, since: str | None, until: str | None,
            **kw: Any) -> Any:
    from rlcoach.errors import ConfigError
    from rlcoach.library.filters import GameFilter, iso_bound

    if kw.get("result") not in (None, "win", "loss"):
        raise ConfigError(f"--result must be win or loss, not '{kw['result']}'")
    for label, value in (("--since", since), ("--until", until)):
        if value is not None:
            try:
                iso_bound(value, end=False)
            except ValueError:
                raise ConfigError(f"{label} '{value}' is not a date",
                                  hint="Use YYYY-MM-DD, e.g. 2026-03-10.") from None
    return GameFilter(playlist=tuple(playlist) if playlist else None, since=since,
                      until=until, **kw)


def _no_match(lib: Any) -> None:
    from rlcoach.cli.render import err_console, safe
    from rlcoach.library import queries as q

    known = ", ".join(p for p, _ in q.playlists(lib))
    err_console().print(f"no games match these filters [dim](playlists here: {safe(known)})[/]")


def _identity_tip(lib: Any) -> None:
    from rlcoach.cli.render import err_console, safe
    from rlcoach.library import queries as q

    guess = q.suggest_identity(lib, limit=1)
    example = safe(f' e.g. names = ["{guess[0][0]}"]') if guess else ""
    err_console().print("[dim]tip: rlcoach does not know which player you are; add "
                        f"\\[identity] to rlcoach.toml{example}[/]", highlight=False)


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:.1f}"


def _games_table(rows: list[Any]) -> None:
    from rich.table import Table

    from rlcoach.cli.render import out_console, safe

    console = out_console()
    # Short headers, and optional columns only when there is room: the table
    # must stay readable in an 80-column terminal.
    shown = (("core.score", "Score"), ("core.goals", "G"), ("core.saves", "Sv"),
             ("boost.bpm", "BPM"), ("movement.avg_speed", "Speed"),
             ("movement.percent_supersonic_speed", "SS%"))
    wide = console.width >= 110
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("date", no_wrap=True, min_width=14)
    if wide:
        table.add_column("playlist", no_wrap=True, overflow="ellipsis", max_width=16)
    table.add_column("map", no_wrap=True, overflow="ellipsis", max_width=16)
    table.add_column("result", no_wrap=True, min_width=6)
    if wide:
        table.add_column("with", no_wrap=True, overflow="ellipsis", max_width=16)
    for _, header in shown:
        table.add_column(header, justify="right", no_wrap=True, min_width=len(header))
    for r in rows:
        if r.result:
            result = f"[{'green' if r.result == 'win' else 'red'}]{r.result[0].upper()}[/] " \
                     f"{r.my_score}-{r.their_score}"
        else:
            result = f"{r.score['blue']}-{r.score['orange']}"
        cells = [str(r.game_id), r.played_at.strftime("%y-%m-%d %H:%M")]
        cells += [safe(r.playlist or "")] if wide else []
        cells += [safe(r.map_name or ""), result]
        cells += [safe(", ".join(r.teammates))] if wide else []
        table.add_row(*cells, *(_num(r.my_stats.get(k)) for k, _ in shown))
    console.print(table)


def _trends_table(series: list[Any], window: int) -> None:
    from rich.table import Table

    from rlcoach.cli.render import out_console, safe

    table = Table(box=None, header_style="bold")
    for col in ("metric", "games", "latest", "average", f"last {window}", "wins", "losses"):
        table.add_column(col, justify="left" if col == "metric" else "right", no_wrap=True)
    table.add_column("trend")
    for s in series:
        pts = s.points
        table.add_row(safe(s.label), str(len(pts)),
                      _num(pts[-1].value if pts else None), _num(s.average),
                      _num(pts[-1].rolling if pts else None), _num(s.average_wins),
                      _num(s.average_losses), _spark([p.value for p in pts]))
    out_console().print(table)


def _spark(values: list[float]) -> str:
    blocks = "▁▂▃▄▅▆▇█"
    values = values[-40:]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    return "".join(blocks[int((v - lo) / span * (len(blocks) - 1))] for v in values)


def _reanalyze(jobs: int | None, use_cache: bool, json_out: bool, library: Path | None) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from rlcoach.cli.render import err_console, out_console, print_json
    from rlcoach.library import open_library
    from rlcoach.library.reanalyze import reanalyze

    with open_library(library) as lib, Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(),
        MofNCompleteColumn(), console=err_console(), transient=True,
    ) as progress:
        task = progress.add_task("Re-analyzing", total=None)
        summary = reanalyze(lib, jobs=jobs, use_cache=use_cache,
                            on_plan=lambda n: progress.update(task, total=n),
                            on_result=lambda _g: progress.advance(task))
    if json_out:
        print_json({"updated": len(summary.updated), "missing": summary.missing,
                    "failed": [{"game_id": g, "error": e} for g, e in summary.failed],
                    "report_version": summary.current})
    else:
        out_console().print(
            f"[bold]{len(summary.updated)}[/] re-analyzed to report {summary.current}, "
            f"{len(summary.missing)} without a replay file, {len(summary.failed)} failed")
    if summary.failed:
        from rlcoach.cli.exits import EXIT_SOME_FAILED

        raise typer.Exit(EXIT_SOME_FAILED)
