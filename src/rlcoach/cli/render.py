"""Shared rendering helpers: data to stdout, diagnostics to stderr."""

from __future__ import annotations

import json
import sys
from functools import cache
from typing import Any

from rich.console import Console


@cache
def err_console() -> Console:
    return Console(stderr=True, soft_wrap=True)


@cache
def out_console() -> Console:
    return Console(soft_wrap=True)


def print_json(data: Any) -> None:
    """Machine-readable output: plain JSON on stdout, nothing else."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    sys.stdout.write("\n")
    sys.stdout.flush()


def safe(text: object) -> str:
    """User text (a path, a player's name, a config key) made inert for Rich.

    Rich would read ``[identity]`` or ``Demos[/old]`` as markup: eaten from the
    message, or a crash (``closing tag '[/old]' ... doesn't match``). Every
    message that interpolates such text passes it through here. Control
    characters (a newline in a file name, a terminal escape in a player's name)
    are shown as ``\\n``/``\\x1b`` so a line stays one line and the terminal
    is not driven by a replay.
    """
    from rich.markup import escape

    return escape(str(text).translate(_CONTROL))


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(32), 127)} | {9: "\\t", 10: "\\n", 13: "\\r"}
