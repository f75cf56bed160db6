"""How fast the dashboard is on a big library: start-up and screen switches.

Usage::

    python benchmarks/bench_dashboard.py                      # builds a 2,000-game library
    python benchmarks/bench_dashboard.py --library big.sqlite3 --me steam:7656...

Without ``--library`` it builds one in a temp dir: with
``benchmarks/make_big_library.py`` (real reports, the library team's
generator) when that exists, else with the dashboard test factory. It then
runs the real app headless at 80x24 and prints, in milliseconds:

* start-up: from creating the app to Home showing data (goal: < 1000);
* each screen switch, first visit (query + render) and revisit (render only);
* opening a game, and a filter change on Games (goal for switches: < 150).

It prints numbers and asserts nothing: timing on shared CI machines is noise.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.tui.factories (the fallback generator)


def build_library(path: Path, games: int) -> tuple[Path, str | None]:
    """Fill ``path`` with ``games`` games; returns (path, identity id if known)."""
    generator = ROOT / "benchmarks" / "make_big_library.py"
    if generator.exists():
        print(f"building with {generator.name} ...", flush=True)
        subprocess.run([sys.executable, str(generator), "--games", str(games),
                        "--out", str(path)], check=True)
        return path, None
    from tests.tui.factories import ME, fill

    from rlcoach.library.db import open_library

    print(f"building {games} factory games ...", flush=True)
    with open_library(path) as lib:
        fill(lib, games, heatmap_every=2)
    return path, f"{ME[0]}:{ME[1]}"


async def wait_loaded(app, screen_type: type, since: float, timeout: float = 10.0) -> float:  # type: ignore[no-untyped-def]
    """ms from ``since`` until a ``screen_type`` screen showed data after ``since``."""
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        screen = app.screen
        if isinstance(screen, screen_type) and (screen.loaded_at or 0) >= since:
            return (screen.loaded_at - since) * 1000
        await asyncio.sleep(0.002)
    raise TimeoutError(f"{screen_type.__name__} did not load")


async def wait_active(app, screen_type: type, since: float) -> float:  # type: ignore[no-untyped-def]
    while not isinstance(app.screen, screen_type):
        await asyncio.sleep(0.001)
    await asyncio.sleep(0)  # let the switch's refresh run
    return (time.perf_counter() - since) * 1000


async def run(library: Path, me: str | None, rounds: int) -> dict[str, list[float]]:
    from rlcoach.config import Identity, load_config
    from rlcoach.tui.app import DashboardApp
    from rlcoach.tui.data import DashboardData
    from rlcoach.tui.screens.compare import CompareScreen
    from rlcoach.tui.screens.game import GameScreen
    from rlcoach.tui.screens.games import GamesScreen
    from rlcoach.tui.screens.home import HomeScreen
    from rlcoach.tui.screens.trends import TrendsScreen

    identity = Identity(platform_ids=(me,)) if me else load_config().identity
    out: dict[str, list[float]] = {}

    def note(name: str, ms: float) -> None:
        out.setdefault(name, []).append(ms)

    for _ in range(rounds):
        data = DashboardData(library, identity=identity)
        t0 = time.perf_counter()
        app = DashboardApp(data, now=datetime.now())
        async with app.run_test(size=(80, 24)) as pilot:
            note("start-up to Home data", await wait_loaded(app, HomeScreen, t0))
            for part, ms in app.screen.timings.items():
                note(f"  HomeScreen {part}", ms)
            # A person reads Home for a moment: the prefetch of the other screens'
            # data finishes meanwhile (it shares the GIL with the UI while it runs).
            await app.workers.wait_for_complete()
            for key, kind in (("g", GamesScreen), ("t", TrendsScreen), ("c", CompareScreen)):
                t, c = time.perf_counter(), time.process_time()
                await pilot.press(key)
                note(f"switch to {kind.__name__} (first visit)", await wait_loaded(app, kind, t))
                note(f"  {kind.__name__} first visit, cpu", (time.process_time() - c) * 1000)
                for part, ms in app.screen.timings.items():
                    note(f"  {kind.__name__} {part}", ms)
            for key, kind in (("h", HomeScreen), ("g", GamesScreen), ("t", TrendsScreen),
                              ("c", CompareScreen)):
                t, c = time.perf_counter(), time.process_time()
                await pilot.press(key)
                note("switch, revisit (no query)", await wait_active(app, kind, t))
                note("  revisit, cpu", (time.process_time() - c) * 1000)
            await pilot.press("g")
            await app.workers.wait_for_complete()
            t = time.perf_counter()
            await pilot.press("enter")
            note("open a game", await wait_loaded(app, GameScreen, t))
            for tab in "23456":
                t, c = time.perf_counter(), time.process_time()
                await pilot.press(tab)
                note("game tab switch", (time.perf_counter() - t) * 1000)
                note("  tab switch, cpu", (time.process_time() - c) * 1000)
            await pilot.press("escape")
            games = app.screen
            t = time.perf_counter()
            from textual.widgets import Select

            games.query_one("#f-result", Select).value = "win"
            note("Games filter change", await wait_loaded(app, GamesScreen, t))
        data.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, help="an existing library file")
    parser.add_argument("--me", help="identity platform id (default: rlcoach.toml)")
    parser.add_argument("--games", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    t = time.perf_counter()
    import textual  # noqa: F401  (import cost is part of a real start-up)
    import_ms = (time.perf_counter() - t) * 1000
    with tempfile.TemporaryDirectory() as tmp:
        library, me = args.library, args.me
        if library is None:
            library, found = build_library(Path(tmp) / "library.sqlite3", args.games)
            me = me or found
        from rlcoach.library import queries as q
        from rlcoach.library.db import open_library

        with open_library(library) as lib:
            n = q.library_stats(lib).games
        print(f"library: {library} ({n} games); textual import {import_ms:.0f} ms")
        results = asyncio.run(run(library, me, args.rounds))
    width = max(map(len, results))
    print(f"{'measure':<{width}}  median    max   (ms, {args.rounds} rounds)")
    for name, values in results.items():
        print(f"{name:<{width}}  {statistics.median(values):6.0f} {max(values):6.0f}")
    return 0


if __name__ == "__main__":
    if importlib.util.find_spec("textual") is None:
        sys.exit("textual is not installed")
    sys.exit(main())
