"""Library test fixtures: an isolated RLCOACH_HOME and an identity file.

The root conftest (the lead's) will also set RLCOACH_HOME; doing it here too
keeps this suite runnable on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rlcoach.config import Identity
from rlcoach.library.db import Library, open_library

from .factories import ME


@pytest.fixture(autouse=True)
def _rlcoach_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "rlcoach-home"
    monkeypatch.setenv("RLCOACH_HOME", str(home))
    monkeypatch.delenv("RLCOACH_CONFIG", raising=False)
    return home


@pytest.fixture
def me() -> Identity:
    return Identity(platform_ids=(f"{ME[0]}:{ME[1]}",))


@pytest.fixture
def write_identity(_rlcoach_home: Path):
    """Write rlcoach.toml with the given [identity] names / ids."""

    def write(names: tuple[str, ...] = (), ids: tuple[str, ...] = ()) -> Path:
        cfg = _rlcoach_home / "config" / "rlcoach.toml"
        cfg.parent.mkdir(parents=True, exist_ok=True)
        quoted = lambda xs: ", ".join(f'"{x}"' for x in xs)  # noqa: E731
        cfg.write_text(f"[identity]\nnames = [{quoted(names)}]\nplatform_ids = [{quoted(ids)}]\n")
        return cfg

    return write


@pytest.fixture
def library() -> Iterator[Library]:
    lib = open_library()
    yield lib
    lib.close()
