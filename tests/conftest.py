"""Shared fixtures: an isolated RLCOACH_HOME per test, and the shared
corpus analyzed once per session (not once per test)."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from tests.analyzed import analyze_once, analyzed_count

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
def corpus_outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Every replay in ../shared/replays analyzed once, through the worker pool."""
    if not REPLAYS.is_dir():
        pytest.skip("../shared/replays is not present")
    return analyze_once(corpus_files(), tmp_path_factory.mktemp("corpus-home"))


@pytest.fixture(scope="session")
def wild_outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Every replay in ../shared/replays-wild analyzed once (each reproduces a bug
    its README names), through the worker pool."""
    if not WILD.is_dir():
        pytest.skip("../shared/replays-wild is not present")
    return analyze_once(wild_files(), tmp_path_factory.mktemp("wild-home"))


@pytest.fixture(scope="session")
def corpus_reports(corpus_outcomes: dict[str, object]) -> dict[str, dict]:
    return {k: o.report for k, o in corpus_outcomes.items() if o.report is not None}  # type: ignore[attr-defined]


# Tests that need replays analyzed are corpus tests and slow (the first one
# pays for the shared analysis): marked here so no module can forget.
_ANALYSIS_FIXTURES = {"corpus_outcomes", "corpus_reports", "wild_outcomes", "sample_reports",
                      "replay_folder"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _ANALYSIS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.corpus)
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if count := analyzed_count():
        terminalreporter.write_line(f"replays analyzed by shared fixtures: {count}, "
                                    "each once this session")
