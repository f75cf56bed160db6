"""Settings chosen inside the dashboard, written to rlcoach.toml.

"This is me" writes ``[identity]``; the target rank writes ``[dashboard]``.
The rest of the file is kept byte for byte: only that one table is
replaced (or appended when there is none), so comments and other sections
survive. The result is read back with ``load_config``; if it does not
validate, the old file is restored and the error raised. There is no TOML
writer among our dependencies, and one table of two string lists does not
need one: values are written with ``json.dumps``, whose strings are valid
TOML basic strings.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from rlcoach.config import Config, load_config

_TABLE = re.compile(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$")


def identity_table(platform_id: str | None, name: str) -> str:
    ids = [platform_id] if platform_id else []
    return (f"[identity]\nplatform_ids = {json.dumps(ids)}\n"
            f"names = {json.dumps([name], ensure_ascii=False)}\n")


def write_identity(path: Path, platform_id: str | None, name: str) -> Config:
    """Make ``platform_id`` (or, without one, ``name``) "me" in ``path``; returns the config."""
    return write_table(path, "identity", identity_table(platform_id, name))


def write_target_rank(path: Path, tier: str) -> Config:
    """Remember the rank the dashboard compares with (``[dashboard] target_rank``)."""
    return write_table(path, "dashboard",
                       f"[dashboard]\ntarget_rank = {json.dumps(tier, ensure_ascii=False)}\n")


def write_table(path: Path, section: str, table: str) -> Config:
    """Replace (or append) ``[section]`` in ``path`` with ``table``; validate or restore."""
    old = path.read_text(encoding="utf-8") if path.exists() else None
    lines = (old or "").splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines)
                  if (m := _TABLE.match(line)) and m.group(1).strip() == section), None)
    if start is None:
        text = "".join(lines)
        text = text + ("\n" if text and not text.endswith("\n") else "") + \
            ("\n" if text else "") + table
    else:
        end = next((i for i in range(start + 1, len(lines)) if _TABLE.match(lines[i])),
                   len(lines))
        text = "".join(lines[:start]) + table + ("\n" if end < len(lines) else "") + \
            "".join(lines[end:])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    try:
        return load_config(path)
    except Exception:
        if old is None:
            path.unlink()
        else:
            path.write_text(old, encoding="utf-8")
        raise


def config_stamp(path: Path) -> tuple[int, int]:
    """(mtime, size) of rlcoach.toml, (0, 0) when absent: polled to notice edits."""
    try:
        st = path.stat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)
