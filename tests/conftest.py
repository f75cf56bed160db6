"""Shared fixtures: an isolated RLCOACH_HOME per test, and the shared
corpus analyzed once per session (not once per test)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REPLAYS = SHARED / "replays"


@pytest.fixture(autouse=True)
def rlcoach_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "rlcoach-home"
    monkeypatch.setenv("RLCOACH_HOME", str(home))
    monkeypatch.delenv("RLCOACH_CONFIG", raising=False)
    return home


def corpus_files() -> list[Path]:
    return sorted(REPLAYS.glob("*.replay"))


@pytest.fixture(scope="session")
def corpus_outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Every replay in ../shared/replays analyzed once, through the worker pool."""
    if not REPLAYS.is_dir():
        pytest.skip("../shared/replays is not present")
    import os

    from rlcoach.pipeline import analyze_paths

    old = os.environ.get("RLCOACH_HOME")
    os.environ["RLCOACH_HOME"] = str(tmp_path_factory.mktemp("corpus-home"))
    try:
        return {o.path.stem: o for o in analyze_paths(corpus_files(), jobs=2, use_cache=False)}
    finally:
        if old is None:
            os.environ.pop("RLCOACH_HOME", None)
        else:
            os.environ["RLCOACH_HOME"] = old


@pytest.fixture(scope="session")
def corpus_reports(corpus_outcomes: dict[str, object]) -> dict[str, dict]:
    return {k: o.report for k, o in corpus_outcomes.items() if o.report is not None}  # type: ignore[attr-defined]
