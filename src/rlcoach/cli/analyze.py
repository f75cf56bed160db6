"""``rlcoach analyze`` and ``rlcoach report-md``: replays to reports."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import typer

app = typer.Typer()

_PATHS = typer.Argument(..., help="Replay files, folders (searched recursively) or globs.")
_OUT = typer.Option(Path("reports"), "--out", "-o", help="Folder for the reports.")
_JOBS = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: all cores).")
_ME = typer.Option(None, "--me", help="Your name or platform:id (overrides rlcoach.toml).")
_NO_CACHE = typer.Option(False, "--no-cache", help="Re-analyze even unchanged files (the "
                         "cache is refreshed with the new results).")


def _run(paths: list[str], out: Path, jobs: int | None, me: str | None, no_cache: bool,
         as_json: bool, markdown: bool, html: bool = False, open_page: bool = False) -> None:
    from rlcoach.cli import EXIT_SOME_FAILED, report_error
    from rlcoach.cli.progress import analysis_progress
    from rlcoach.cli.render import err_console, print_json, safe
    from rlcoach.config import load_config
    from rlcoach.errors import InputError
    from rlcoach.pipeline import analyze_paths, discover_replays
    from rlcoach.pipeline.output import ReportWriter, prepare_out_dir

    cfg = load_config()
    identity = cfg.identity
    if me:
        from dataclasses import replace

        is_id = ":" in me
        identity = replace(identity, platform_ids=identity.platform_ids + ((me,) if is_id else ()),
                           names=identity.names + (() if is_id else (me,)))
    found = discover_replays(paths)
    for problem in found.problems:
        report_error(problem)
    if not found.paths:
        raise InputError("no replays to analyze",
                         hint="Pass .replay files or a folder such as the game's Demos folder.")
    history = None
    if markdown or html:  # the user's recent average heatmap beside this game's
        from rlcoach.library.heatmaps import history_for_figures

        history = history_for_figures(identity)
    writer = None if as_json else ReportWriter(prepare_out_dir(out), markdown=markdown,
                                                   html=html, history=history)
    reports, failures, cached = [], [], 0
    written: list[Path] = []
    pages: list[Path] = []
    outcomes = analyze_paths(found.paths, jobs=jobs or cfg.analysis.jobs, use_cache=not no_cache,
                             identity=identity, timeout_s=cfg.analysis.timeout_seconds,
                             memory_limit_mb=cfg.analysis.memory_limit_mb)
    # closing(): on Ctrl-C the pool's cleanup (killing workers) runs now, even if
    # the interrupt lands while we are writing a report rather than inside the pool.
    with closing(outcomes), analysis_progress(len(found.paths),
                                              quiet=len(found.paths) == 1) as advance:
        for outcome in outcomes:
            advance(outcome.path.name)
            if outcome.report is None:
                assert outcome.error is not None
                failures.append(outcome.error)
                continue
            cached += outcome.cached
            if writer is not None:
                written = writer.write(outcome.path, outcome.report)
                if written and written[0].stem != outcome.path.stem:
                    err_console().print(
                        f"note: {safe(outcome.path)} written as {safe(written[0].name)}: "
                        f"{safe(out)} has another replay's {safe(outcome.path.stem)}.json",
                        highlight=False)
                pages += [p for p in written if p.suffix == ".html"]
            else:
                reports.append(outcome.report)
    if as_json:
        print_json(reports[0] if len(found.paths) == 1 and reports else reports)
    n_ok = len(found.paths) - len(failures)
    if len(found.paths) == 1 and failures:
        report_error(failures[0])
    elif len(found.paths) > 1:
        where = f" → {safe(out)}" if writer is not None else ""
        err_console().print(
            f"analyzed {n_ok} of {len(found.paths)} replays"
            f"{f' ({cached} from cache)' if cached else ''}{where}"
            f"{f', {len(failures)} failed:' if failures else ''}", highlight=False)
        for err in failures:
            err_console().print(f"  [red]✗[/] {safe(err.message)}", highlight=False)
    elif writer is not None:
        err_console().print(f"wrote {' and '.join(safe(p) for p in written)}", highlight=False)
    if open_page and pages:
        open_in_browser(max(pages, key=lambda p: p.stat().st_mtime))
    if failures or found.problems:
        raise typer.Exit(EXIT_SOME_FAILED)


def open_in_browser(page: Path) -> None:
    """Open a written page in the user's browser; say where it is if none opens."""
    import webbrowser

    from rlcoach.cli.render import err_console, safe

    if not webbrowser.open(page.resolve().as_uri()):
        err_console().print(f"no browser found; open {safe(page)} yourself", highlight=False)


@app.command("analyze")
def analyze(
    paths: list[str] = _PATHS,
    out: Path = _OUT,
    as_json: bool = typer.Option(False, "--json", help="Print the report(s) as JSON to stdout "
                                 "instead of writing files."),
    jobs: int | None = _JOBS,
    me: str | None = _ME,
    no_cache: bool = _NO_CACHE,
) -> None:
    """Analyze replays into ballchasing-accurate JSON reports.

    Example: rlcoach analyze ~/Demos/*.replay --out reports/
             rlcoach analyze game.replay --json | jq '.players[0].stats.boost.bpm'

    Exit codes: 0 all analyzed, 1 some replays failed, 2 usage or config error,
    130 interrupted.
    """
    _run(paths, out, jobs, me, no_cache, as_json, markdown=False)


@app.command("report-md")
def report_md(
    paths: list[str] = _PATHS,
    out: Path = _OUT,
    jobs: int | None = _JOBS,
    me: str | None = _ME,
    no_cache: bool = _NO_CACHE,
) -> None:
    """Analyze replays and write a JSON report plus a Markdown dossier for each.

    Example: rlcoach report-md game.replay --out reports/
    """
    _run(paths, out, jobs, me, no_cache, as_json=False, markdown=True)
