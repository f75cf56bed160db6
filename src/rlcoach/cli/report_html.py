"""``rlcoach report-html``: one self-contained HTML page per replay."""

from __future__ import annotations

from pathlib import Path

import typer

from rlcoach.cli.analyze import _JOBS, _ME, _NO_CACHE, _OUT, _PATHS, _run

app = typer.Typer()


@app.command("report-html")
def report_html(
    paths: list[str] = _PATHS,
    out: Path = _OUT,
    jobs: int | None = _JOBS,
    me: str | None = _ME,
    no_cache: bool = _NO_CACHE,
    open_page: bool = typer.Option(False, "--open", help="Open the newest page in a browser."),
) -> None:
    """Analyze replays and write a JSON report plus one HTML page for each.

    The page is a single file with figures, findings and sortable stat tables;
    it makes no network requests, so it opens offline and can be mailed.

    Example: rlcoach report-html ~/Demos --out reports/ --open
    """
    _run(paths, out, jobs, me, no_cache, as_json=False, markdown=False, html=True,
         open_page=open_page)
