"""Report files as a user sees them: permissions from the umask, no silent
overwrite of another replay's report, --no-cache still fills the cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.analyzed import analyze_once
from tests.conftest import REPLAYS

A = REPLAYS / "post-eac-ranked-duel-2026-04-28-a.replay"
B = REPLAYS / "post-eac-ranked-duel-2026-04-28-b.replay"

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    outcomes = analyze_once([A, B], tmp_path_factory.mktemp("reports-home"))
    return {stem: o.report for stem, o in outcomes.items()}  # type: ignore[attr-defined]


@pytest.fixture
def cached(rlcoach_home: Path, reports: dict[str, dict]) -> Path:
    """This test's RLCOACH_HOME with A and B already in the analysis cache."""
    from rlcoach.pipeline import cache, engine_key
    from rlcoach.pipeline.single import file_sha256

    for path in (A, B):
        cache.store(file_sha256(path), engine_key(), reports[path.stem])
    return rlcoach_home


def run(*args: str, umask: int = 0o022) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rlcoach", *args], capture_output=True,
                          text=True, env=dict(os.environ), timeout=300,
                          preexec_fn=lambda: os.umask(umask))


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_reports_follow_the_umask(cached: Path, tmp_path: Path, umask: int, mode: int) -> None:
    out = tmp_path / "out"
    proc = run("report-md", str(A), "--out", str(out), umask=umask)
    assert proc.returncode == 0, proc.stderr
    for suffix in (".json", ".md"):
        assert (out / f"{A.stem}{suffix}").stat().st_mode & 0o777 == mode


def test_same_name_in_one_out_is_never_overwritten(cached: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "one" / "game.replay", tmp_path / "two" / "game.replay"
    for src, dst in ((A, first), (B, second)):
        dst.parent.mkdir()
        shutil.copy(src, dst)
    out = tmp_path / "out"
    assert run("analyze", str(first), "--out", str(out)).returncode == 0
    before = (out / "game.json").read_text()
    proc = run("analyze", str(second), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert (out / "game.json").read_text() == before
    (other,) = [p for p in out.glob("game-*.json")]
    assert "written as " + other.name in proc.stderr
    assert proc.stderr.strip().endswith(f"wrote {other}")
    # The same replay again replaces its own report.
    assert run("analyze", str(first), "--out", str(out)).returncode == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(["game.json", other.name])


def test_no_cache_still_writes_the_cache(rlcoach_home: Path, tmp_path: Path) -> None:
    from rlcoach.pipeline import cache, engine_key
    from rlcoach.pipeline.single import file_sha256

    assert cache.load(file_sha256(A), engine_key()) is None
    proc = run("analyze", str(A), "--no-cache", "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert cache.load(file_sha256(A), engine_key()) is not None
