"""Writing reports: atomic, collision-safe, all-or-nothing per file."""

from __future__ import annotations

import json
import os
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


class ReportWriter:
    """Names outputs after the replay; a second replay with the same name
    (from another folder) gets its content hash appended instead of
    overwriting the first."""

    def __init__(self, out_dir: Path, markdown: bool = False) -> None:
        self.out_dir = out_dir
        self.markdown = markdown
        self._taken: dict[str, str] = {}

    def write(self, replay_path: Path, report: dict[str, Any]) -> list[Path]:
        sha = report["replay"]["sha256"]
        stem = replay_path.stem
        if self._taken.get(stem, sha) != sha:
            stem = f"{stem}-{sha[:8]}"
        self._taken[stem] = sha
        written = []
        try:
            target = self.out_dir / f"{stem}.json"
            write_atomic(target, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
            written.append(target)
            if self.markdown:
                from rlcoach.report.markdown import render_markdown

                md = self.out_dir / f"{stem}.md"
                write_atomic(md, render_markdown(report))
                written.append(md)
        except OSError as exc:
            raise OutputError(f"{self.out_dir}: cannot write {stem}: {exc.strerror}") from None
        return written
