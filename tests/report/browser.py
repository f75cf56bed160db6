"""Headless Chromium for the HTML report's tests: console, network, pixels.

Chromium's own flags are enough, without a driver library: ``--enable-
logging=stderr`` prints every console message (CSP violations included) as
an ``INFO:CONSOLE`` line, and ``--log-net-log`` records every request; the
page's own requests are those whose network isolation key is ``file://``
(Chromium makes background requests of its own that carry other keys).
Screenshots are compared pixel by pixel with a tolerance (Pillow decodes them).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--disable-background-networking", "--disable-component-update", "--no-first-run",
         "--force-device-scale-factor=1", "--enable-logging=stderr", "--v=0"]


def browser() -> str:
    found = next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
    if found is None:
        if os.environ.get("RLCOACH_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here (RLCOACH_REQUIRE_BROWSER) but not installed")
        pytest.skip("Chromium is not installed (.ci/run installs it)")
    return found


@dataclass
class Visit:
    console: list[str]
    requests: list[str]
    screenshot: np.ndarray


def visit(page: Path, width: int, height: int, work: Path) -> Visit:
    """Load ``page`` once: console lines, the page's own requests, and pixels."""
    net, shot = work / f"{page.stem}-{width}.net.json", work / f"{page.stem}-{width}.png"
    done = subprocess.run(
        [browser(), *FLAGS, f"--user-data-dir={work / 'profile'}", f"--log-net-log={net}",
         f"--window-size={width},{height}", f"--screenshot={shot}", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120)
    assert shot.exists(), done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return Visit(console, page_requests(net), read_png(shot))


def page_requests(net_log: Path) -> list[str]:
    text = net_log.read_text(encoding="utf-8", errors="replace").rstrip().rstrip(",")
    if not text.endswith("}"):
        text += "]}"  # Chromium may exit before closing the events array
    events = json.loads(text).get("events", [])
    return sorted({e["params"]["url"] for e in events
                   if "url" in e.get("params", {})
                   and "file://" in str(e["params"].get("network_isolation_key", ""))})


def read_png(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def differing_share(a: np.ndarray, b: np.ndarray, tolerance: int = 24) -> float:
    """Share of pixels where any channel differs by more than ``tolerance``."""
    if a.shape != b.shape:
        return 1.0
    return float(np.mean(np.abs(a.astype(int) - b.astype(int)).max(axis=2) > tolerance))


def write_png(pixels: np.ndarray, path: Path) -> None:
    from PIL import Image

    Image.fromarray(pixels.astype(np.uint8)).save(path, optimize=True)
