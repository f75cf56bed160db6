"""Reports and dossiers for a 1v1, a 2v2 and a 3v3 match the committed goldens.

After an intended change: python scripts/regen_goldens.py, then review the diff.
"""

from __future__ import annotations

import json
import re

import pytest
from tests.conftest import ROOT

from rlcoach.report.markdown import render_markdown

GOLDENS = ROOT / "goldens"
CASES = ("post-eac-ranked-duel-2026-04-28-a", "recent-ranked-doubles-2026-03-10",
         "recent-ranked-standard-2026-03-10-a")


@pytest.mark.parametrize("stem", CASES)
def test_json_golden(corpus_reports, stem: str) -> None:
    expected = json.loads((GOLDENS / f"{stem}.json").read_text(encoding="utf-8"))
    assert corpus_reports[stem] == expected


@pytest.mark.parametrize("stem", CASES)
def test_markdown_golden(corpus_reports, stem: str) -> None:
    expected = (GOLDENS / f"{stem}.md").read_text(encoding="utf-8")
    assert render_markdown(corpus_reports[stem]) == expected


def test_markdown_tables_are_well_formed(corpus_reports) -> None:
    md = render_markdown(corpus_reports["recent-ranked-standard-2026-03-10-a"])
    assert "{" not in md, "no raw JSON in the dossier"
    table = []
    for line in [*md.splitlines(), ""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            widths = {len(re.split(r"(?<!\\)\|", row)) for row in table}
            assert len(widths) == 1, table[:3]
            assert set(table[1].replace("|", "")) <= {"-", ":"}
            table = []
