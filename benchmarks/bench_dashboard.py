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
* opening a game (goal < 300), a Game tab switch, a re-sort on Games
  (goal for view and tab switches: < 150);
* memory: resident set size before and after ``--switches`` view switches
  (default 500) in one app, which must stay flat;
* the machine's load average and core count, before and after, since every
  number is wall clock on a machine shared with whatever else runs.

It prints numbers and asserts nothing: timing on shared CI machines is noise.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from rlcoach.config import Identity, load_config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.tui.factories (the fallback generator)


def build_library(path: Path, games: int) -> Identity:
    """Fill ``path`` with ``games`` games; returns the identity that is "me" there."""
    generator = ROOT / "benchmarks" / "make_big_library.py"
    if generator.exists():
        print(f"building with {generator.name} ...", flush=True)
        subprocess.run([sys.executable, str(generator), "--games", str(games),
                        "--out", str(path)], check=True, stdout=subprocess.DEVNULL)
        return Identity(names=("BenchMe",))  # the generator's renamed player
    from tests.tui.factories import ME, fill

    from rlcoach.library.db import open_library

    print(f"building {games} factory games ...", flush=True)
    with open_library(path) as lib:
        fill(lib, games, heatmap_every=2)
    return Identity(platform_ids=(f"{ME[0]}:{ME[1]}",))


async def painted(app) -> None:  # type: ignore[no-untyped-def]
    """Return after the active screen's next refresh (its new state is on screen)."""
    done = asyncio.Event()
    app.view.call_after_refresh(done.set)
    await done.wait()


async def timed(app, key: str, ready) -> float:  # type: ignore[no-untyped-def]
    """ms from a key press until ``ready()`` holds and the screen has repainted.

    Keys are posted like a terminal would (``simulate_key``), not with
    ``Pilot.press``, which also waits for the process to go idle and would
    add its own settling time to every number.
    """
    t = time.perf_counter()
    app.simulate_key(key)
    deadline = t + 10
    while not ready():
        if time.perf_counter() > deadline:
            raise TimeoutError(key)
        await asyncio.sleep(0.001)
    await painted(app)
    return (time.perf_counter() - t) * 1000


def rss_mb() -> float:
    """Resident set size of this process now (not the peak), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def machine_load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} cores"


async def memory_over_switches(library: Path, identity: Identity, switches: int) -> list[str]:
    """RSS at checkpoints while switching views ``switches`` times in one app."""
    from rlcoach.tui.app import NAVIGATION, DashboardApp
    from rlcoach.tui.data import DashboardData
    from rlcoach.tui.screens.main import MainScreen

    keys = [(key, view) for view, _label, key, _help in NAVIGATION]
    data = DashboardData(library, identity=identity)
    app = DashboardApp(data, now=datetime.now())
    lines = []
    async with app.run_test(size=(80, 24)):
        while not (isinstance(app.screen, MainScreen) and all(
                app.main.query(f"#{v}") and app.main.query_one(f"#{v}").loaded_at
                for _k, v in keys)):
            await asyncio.sleep(0.005)
        checkpoints = {0, switches // 5, switches // 2, switches}
        for i in range(switches + 1):
            if i in checkpoints:
                lines.append(f"RSS after {i:4d} view switches: {rss_mb():6.0f} MB")
            if i < switches:
                key, view = keys[(i + 1) % len(keys)]
                await timed(app, key, lambda view=view: app.main.current == view)
    data.close()
    return lines


def loaded(app, kind: type, since: float):  # type: ignore[no-untyped-def]
    """A ``ready`` test: a ``kind`` view is shown and showed data after ``since``."""
    return lambda: isinstance(app.view, kind) and (app.view.loaded_at or 0) >= since


async def run(library: Path, identity: Identity, rounds: int) -> dict[str, list[float]]:
    from rlcoach.tui.app import DashboardApp
    from rlcoach.tui.data import DashboardData
    from rlcoach.tui.screens.compare import CompareView
    from rlcoach.tui.screens.game import GameView
    from rlcoach.tui.screens.games import GamesView
    from rlcoach.tui.screens.home import HomeView
    from rlcoach.tui.screens.insights import InsightsView
    from rlcoach.tui.screens.main import MainScreen
    from rlcoach.tui.screens.trends import TrendsView

    out: dict[str, list[float]] = {}

    def note(name: str, ms: float) -> None:
        out.setdefault(name, []).append(ms)

    screens = (("g", GamesView), ("t", TrendsView), ("c", CompareView), ("i", InsightsView))
    for _ in range(rounds):
        data = DashboardData(library, identity=identity)
        t0 = time.perf_counter()
        app = DashboardApp(data, now=datetime.now())
        async with app.run_test(size=(80, 24)):
            while not (isinstance(app.screen, MainScreen) and loaded(app, HomeView, t0)()):
                await asyncio.sleep(0.001)
            await painted(app)
            note("start-up: app created -> Home data painted", (time.perf_counter() - t0) * 1000)
            note("  Home fetch (worker)", app.view.timings["fetch"])
            # The other views mount hidden and load right after Home is painted;
            # a person reading Home does not notice (keys still work meanwhile).
            def all_loaded(app=app) -> bool:  # type: ignore[no-untyped-def]
                views = [app.main.query(f"#{v}")
                         for v in ("games", "trends", "compare", "insights")]
                return all(v and v.first().loaded_at for v in views)

            while not all_loaded():
                await asyncio.sleep(0.005)
            note("  ...all views mounted and loaded in background",
                 (time.perf_counter() - t0) * 1000)
            for key, kind in screens:
                ms = await timed(app, key, lambda kind=kind, app=app: isinstance(app.view, kind))
                note(f"switch to {kind.__name__[:-4]}, first visit", ms)
            for key, kind in (("h", HomeView), *screens):
                ms = await timed(app, key, lambda kind=kind, app=app: isinstance(app.view, kind))
                note(f"switch to {kind.__name__[:-4]}, revisit", ms)
            await timed(app, "g", lambda app=app: isinstance(app.view, GamesView))
            t = time.perf_counter()
            note("open a game: Game view shown",
                 await timed(app, "enter", lambda app=app: isinstance(app.view, GameView)))
            while not loaded(app, GameView, t)():
                await asyncio.sleep(0.001)
            await painted(app)
            note("open a game: its data painted", (time.perf_counter() - t) * 1000)
            for tab in "23456":
                note("game tab switch", await timed(app, tab, lambda: True))
            note("back to Games (Escape)",
                 await timed(app, "escape", lambda app=app: isinstance(app.view, GamesView)))
            note("Games: sort by next column (s)",
                 await timed(app, "s", loaded(app, GamesView, time.perf_counter())))
        data.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, help="an existing library file")
    parser.add_argument("--me", help="who you are: 'platform:id' or a name "
                        "(default: [identity] in rlcoach.toml)")
    parser.add_argument("--games", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--switches", type=int, default=500,
                        help="view switches for the memory check (0 skips it)")
    args = parser.parse_args()
    # What `rlcoach dashboard` pays before the app exists: the CLI, then the
    # TUI with Textual and SQLAlchemy (imported lazily by the command).
    probe = ("import time; t = time.perf_counter(); import rlcoach.cli; "
             "import rlcoach.tui.app; print((time.perf_counter() - t) * 1000)")
    import_ms = statistics.median(
        float(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                             check=True).stdout) for _ in range(3))
    with tempfile.TemporaryDirectory() as tmp:
        library = args.library
        if args.me:
            identity = Identity(platform_ids=(args.me,)) if ":" in args.me else \
                Identity(names=(args.me,))
        else:
            identity = load_config().identity
        if library is None:
            library = Path(tmp) / "library.sqlite3"
            found = build_library(library, args.games)
            identity = identity if args.me else found
        from rlcoach.library import queries as q
        from rlcoach.library.db import open_library

        with open_library(library) as lib:
            n = q.library_stats(lib).games
        print(f"library: {library} ({n} games)")
        print(f"imports before the app starts (cli + tui, fresh process): {import_ms:.0f} ms")
        print(f"machine before: {machine_load()}")
        results = asyncio.run(run(library, identity, args.rounds))
        memory = asyncio.run(memory_over_switches(library, identity, args.switches)) \
            if args.switches else []
        print(f"machine after:  {machine_load()}")
    width = max(map(len, results))
    print(f"{'measure (wall clock, ms)':<{width}}  median    max   ({args.rounds} rounds)")
    for name, values in results.items():
        print(f"{name:<{width}}  {statistics.median(values):6.0f} {max(values):6.0f}")
    for line in memory:
        print(line)
    return 0


if __name__ == "__main__":
    if importlib.util.find_spec("textual") is None:
        sys.exit("textual is not installed")
    sys.exit(main())
