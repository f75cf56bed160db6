"""Shared fixtures: an isolated RLCOACH_HOME per test, and the shared
corpus analyzed once per session (not once per test)."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from tests.analyzed import SAMPLE, analyze_once, analyzed_count, prefetch, stop

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REPLAYS = SHARED / "replays"
WILD = SHARED / "replays-wild"

# A suite started in the background by a non-interactive shell inherits
# SIGINT ignored, and so would every rlcoach process the tests start (an
# ignored signal stays ignored across exec): the Ctrl-C tests would wait out
# their timeouts. A handler (unlike SIG_IGN) resets to the default in a child.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def rlcoach_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "rlcoach-home"
    monkeypatch.setenv("RLCOACH_HOME", str(home))
    monkeypatch.delenv("RLCOACH_CONFIG", raising=False)
    return home


def corpus_files() -> list[Path]:
    return sorted(REPLAYS.glob("*.replay"))


def wild_files() -> list[Path]:
    return sorted(WILD.glob("*.replay"))


@pytest.fixture(scope="session")
def corpus_outcomes() -> dict[str, object]:
    """Every replay in ../shared/replays analyzed once, through the worker pool."""
    if not REPLAYS.is_dir():
        pytest.skip("../shared/replays is not present")
    return analyze_once(corpus_files())


@pytest.fixture(scope="session")
def wild_outcomes() -> dict[str, object]:
    """Every replay in ../shared/replays-wild analyzed once (each reproduces a bug
    its README names), through the worker pool."""
    if not WILD.is_dir():
        pytest.skip("../shared/replays-wild is not present")
    return analyze_once(wild_files())


@pytest.fixture(scope="session")
def wild_outcomes_again() -> dict[str, object]:
    """replays-wild analyzed a second time, in other worker processes than the first."""
    if not WILD.is_dir():
        pytest.skip("../shared/replays-wild is not present")
    return analyze_once(wild_files(), round_=1)


@pytest.fixture(scope="session")
def corpus_reports(corpus_outcomes: dict[str, object]) -> dict[str, dict]:
    return {k: o.report for k, o in corpus_outcomes.items() if o.report is not None}  # type: ignore[attr-defined]


# Tests that need replays analyzed are corpus tests and slow (the first one
# pays for the shared analysis): marked here so no module can forget.
# Fixture -> (replays it needs, analysis round), for the background analysis.
def _needs() -> dict[str, tuple[list[Path], int]]:
    sample = [REPLAYS / name for name in SAMPLE]
    return {"sample_reports": (sample, 0), "replay_folder": (sample, 0),
            "corpus_outcomes": (corpus_files(), 0), "corpus_reports": (corpus_files(), 0),
            "wild_outcomes": (wild_files(), 0), "wild_outcomes_again": (wild_files(), 1)}


_PREFETCH: list[tuple[list[Path], int]] = []


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the analysis tests, and run their modules last: the replays they need are
    analyzed in the background meanwhile (tests/analyzed.py)."""
    needs = _needs()
    late: set[Path] = set()
    for item in items:
        if any(f in needs for f in getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.corpus)
            item.add_marker(pytest.mark.slow)
            late.add(item.path)
    items.sort(key=lambda item: item.path in late)  # stable: order within kept
    for item in items:  # analyzed in the order the tests will want them
        for f in getattr(item, "fixturenames", ()):
            if f in needs and needs[f] not in _PREFETCH:
                _PREFETCH.append(needs[f])


def pytest_collection_finish(session: pytest.Session) -> None:
    if session.config.option.collectonly:
        return
    for files, round_ in _PREFETCH:
        if files and files[0].parent.is_dir():
            prefetch(files, round_)


def pytest_sessionfinish() -> None:
    stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if count := analyzed_count():
        terminalreporter.write_line(f"replays analyzed by shared fixtures: {count}, "
                                    "each once this session")
