"""The HTML report in a real browser: offline, no console errors, looks the same.

Pages are rendered from the goldens (real, schema-valid reports of a 1v1, a
2v2 and a 3v3) and loaded in headless Chromium. A stored screenshot per page
is the reference; ``RLCOACH_UPDATE_SCREENSHOTS=1`` rewrites them after an
intended change (look at them before committing).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.report.browser import differing_share, read_png, visit, write_png

from rlcoach.report.figures import build_figures
from rlcoach.report.html import render_html

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(__file__).parent / "__screenshots__"
CASES = ["post-eac-ranked-duel-2026-04-28-a", "recent-ranked-doubles-2026-03-10",
         "recent-ranked-standard-2026-03-10-a"]
UPDATE = bool(os.environ.get("RLCOACH_UPDATE_SCREENSHOTS"))


def _page(name: str, folder: Path, extra: str = "") -> Path:
    report = json.loads((ROOT / "goldens" / f"{name}.json").read_text(encoding="utf-8"))
    html = render_html(report, build_figures(report))
    page = folder / f"{name}.html"
    page.write_text(html.replace("</body>", extra + "</body>"), encoding="utf-8")
    return page


@pytest.mark.parametrize("name", CASES)
def test_page_is_offline_clean_and_looks_as_stored(name: str, tmp_path: Path) -> None:
    page = _page(name, tmp_path)
    assert page.stat().st_size < 1.5e6
    seen = visit(page, 1100, 2200, tmp_path)
    assert seen.console == []
    assert seen.requests == []
    baseline = SHOTS / f"{name}.png"
    if UPDATE or not baseline.exists():
        write_png(seen.screenshot, baseline)
        if not UPDATE:
            pytest.fail(f"no stored screenshot: wrote {baseline.name}; look at it and rerun")
    assert differing_share(seen.screenshot, read_png(baseline)) < 0.01


def test_the_checks_catch_requests_and_console_errors(tmp_path: Path) -> None:
    page = tmp_path / "leaky.html"
    page.write_text('<!doctype html><img src="http://example.invalid/x.png">'
                    '<script>console.error("boom")</script>', encoding="utf-8")
    seen = visit(page, 400, 300, tmp_path)
    assert seen.requests == ["http://example.invalid/x.png"]
    assert any("boom" in line for line in seen.console)


def test_the_csp_blocks_what_a_player_name_could_smuggle_in(tmp_path: Path) -> None:
    # The page escapes names; even an injected tag could fetch nothing.
    page = _page(CASES[1], tmp_path, extra='<img src="http://example.invalid/y.png">')
    seen = visit(page, 400, 300, tmp_path)
    assert seen.requests == []
    assert any("Content Security Policy" in line for line in seen.console)


def test_phone_width_fits_and_tables_scroll_in_their_box(tmp_path: Path) -> None:
    probe = ("<script>document.title = 'fits:' + (document.documentElement.scrollWidth"
             " <= window.innerWidth)</script>")
    page = _page(CASES[2], tmp_path, extra=probe)
    seen = visit(page, 390, 800, tmp_path)
    assert seen.console == []
    assert _title_after_load(page, 390) == "fits:true"


def _title_after_load(page: Path, width: int) -> str:
    import re
    import subprocess

    from tests.report.browser import FLAGS, browser

    done = subprocess.run([browser(), *FLAGS, f"--window-size={width},800", "--dump-dom",
                           page.resolve().as_uri()], capture_output=True, text=True, timeout=120)
    found = re.search(r"<title>(.*?)</title>", done.stdout)
    return found.group(1) if found else ""
