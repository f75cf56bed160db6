"""Reports cached by replay content hash and rlcoach version.

Re-analyzing an unchanged file is a hash and a file read. The key includes
the rlcoach and engine versions and the report schema version, so an
upgrade (or a report shape change between releases) recomputes everything. Writes
are atomic (temp file + rename); a corrupt cache entry is a miss.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from rlcoach import __version__, paths
from rlcoach.report.builder import SCHEMA_VERSION


def _entry(sha256: str, engine: str) -> Path:
    version = f"{__version__}+{engine}+schema{SCHEMA_VERSION}"
    return paths.analysis_cache_dir() / version / sha256[:2] / f"{sha256}.json"


def load(sha256: str, engine: str) -> dict[str, Any] | None:
    try:
        with open(_entry(sha256, engine), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def store(sha256: str, engine: str, report: dict[str, Any]) -> None:
    target = _entry(sha256, engine)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, json.dumps(report, separators=(",", ":")))
    except OSError:
        pass  # a cache that can't be written is only slower


def _umask() -> int:
    # The only way to read the umask is to set it; set it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(target: Path, text: str) -> None:
    """Write via a temp file in the same folder, then rename over the target.

    The file gets the permissions a plain ``open()`` would give (0666 less the
    user's umask): mkstemp's 0600 would hide reports from the user's group.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            os.fchmod(fh.fileno(), 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
