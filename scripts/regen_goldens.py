"""Regenerate goldens/: JSON reports and Markdown dossiers for a 1v1, a 2v2
and a 3v3 replay from ../shared/replays.

    python scripts/regen_goldens.py

Review the diff before committing: a changed golden is a changed contract.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPLAYS = ROOT.parent / "shared" / "replays"
GOLDENS = ROOT / "goldens"
CASES = (
    "post-eac-ranked-duel-2026-04-28-a",  # 1v1
    "recent-ranked-doubles-2026-03-10",  # 2v2
    "recent-ranked-standard-2026-03-10-a",  # 3v3
)


def render(stem: str) -> tuple[str, str]:
    from rlcoach.pipeline.single import analyze_file
    from rlcoach.report.markdown import render_markdown

    report = analyze_file(REPLAYS / f"{stem}.replay")
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n", render_markdown(report)


def main() -> int:
    GOLDENS.mkdir(exist_ok=True)
    for stem in CASES:
        text, md = render(stem)
        (GOLDENS / f"{stem}.json").write_text(text, encoding="utf-8")
        (GOLDENS / f"{stem}.md").write_text(md, encoding="utf-8")
        print(f"wrote goldens/{stem}.json and .md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
