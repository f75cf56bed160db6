"""Writing reports: atomic, collision-safe, all-or-nothing per file."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rlcoach.errors import OutputError
from rlcoach.pipeline.cache import write_atomic


def prepare_out_dir(out_dir: Path) -> Path:
    """Create the folder and prove it is writable before any work starts."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".rlcoach-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write reports here ({exc.strerror})",
                          hint="Choose another folder with --out.") from None
    return out_dir


def _written_for(report_file: Path, sha: str) -> bool | None:
    """Whether an existing report is this replay's (None: no report there)."""
    try:
        with report_file.open(encoding="utf-8") as fh:
            existing = json.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return False  # not ours to overwrite
    replay = existing.get("replay") if isinstance(existing, dict) else None
    return isinstance(replay, dict) and replay.get("sha256") == sha


class ReportWriter:
    """Names outputs after the replay; a second replay with the same name
    (from another folder, in this run or an earlier one into the same
    ``--out``) gets its content hash appended instead of overwriting the
    first. Re-analyzing the same replay overwrites its own report.
    ``markdown`` adds the dossier and its figures (SVG files in
    ``<stem>.figures/`` beside it); ``html`` adds the self-contained HTML
    report."""

    def __init__(self, out_dir: Path, markdown: bool = False, html: bool = False,
                 history: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None) -> None:
        self.out_dir = out_dir
        self.markdown = markdown
        self.html = html
        self.history = history  # report -> {player key: recent average heatmap}
        self._taken: dict[str, str] = {}

    def write(self, replay_path: Path, report: dict[str, Any]) -> list[Path]:
        sha = report["replay"]["sha256"]
        stem = replay_path.stem
        if self._taken.get(stem, sha) != sha or _written_for(self.out_dir / f"{stem}.json",
                                                             sha) is False:
            stem = f"{stem}-{sha[:8]}"
        self._taken[stem] = sha
        written = []
        try:
            target = self.out_dir / f"{stem}.json"
            write_atomic(target, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
            written.append(target)
            if self.markdown or self.html:
                written += self._write_people(stem, report)
        except OSError as exc:
            raise OutputError(f"{self.out_dir}: cannot write {stem}: {exc.strerror}") from None
        return written

    def _write_people(self, stem: str, report: dict[str, Any]) -> list[Path]:
        """The dossier with its figures and/or the HTML page (figures drawn once)."""
        from rlcoach.report.figures import build_figures

        figures = build_figures(report, self.history(report) if self.history else None)
        written = []
        if self.markdown:
            from rlcoach.report.markdown import render_markdown

            folder = self.out_dir / f"{stem}.figures"
            folder.mkdir(exist_ok=True)
            for f in figures:
                write_atomic(folder / f"{f.name}.svg", f.svg + "\n")
            md = self.out_dir / f"{stem}.md"
            links = [(f"{folder.name}/{f.name}.svg", f.alt) for f in figures]
            write_atomic(md, render_markdown(report, links))
            written.append(md)
        if self.html:
            from rlcoach.report.html import render_html

            page = self.out_dir / f"{stem}.html"
            write_atomic(page, render_html(report, figures))
            written.append(page)
        return written
