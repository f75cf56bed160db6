"""Regenerate README's command table from the CLI itself (Typer help is the truth).

Each row is one command: its usage built from its parameters, and the first
line of its help (the command's docstring). Typer bundles its own click
(``typer._click``) in some versions, so commands are walked by duck typing
rather than ``isinstance`` against the ``click`` package. The table sits between the
``<!-- commands:start -->`` and ``<!-- commands:end -->`` markers;
``tests/test_readme_commands.py`` fails when it is stale.

    python scripts/readme_commands.py          # rewrite README.md
    python scripts/readme_commands.py --check  # exit 1 when stale
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- commands:start -->", "<!-- commands:end -->"


def _usage(command: Any) -> str:
    parts = []
    for param in command.params:
        if param.param_type_name == "argument":
            name = (param.name or "arg").upper()
            parts.append(f"{name}..." if param.nargs == -1 else name)
        elif param.param_type_name == "option" and not param.hidden:
            flag = max(param.opts, key=len)
            if flag in ("--help", "--version"):
                continue
            value = "" if param.is_flag or param.count else f" {(param.name or 'x').upper()}"
            parts.append(f"[{flag}{value}]")
    return " ".join(parts)


def _rows(group: Any, prefix: str) -> list[tuple[str, str]]:
    rows = []
    ctx = type(group).context_class(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        path = f"{prefix} {name}"
        if hasattr(command, "list_commands"):
            rows += _rows(command, path)
            continue
        summary = (command.help or "").strip().splitlines()[0] if command.help else ""
        usage = _usage(command)
        rows.append((f"{path} {usage}".strip(), summary))
    return rows


def render_table() -> str:
    import typer.main

    from rlcoach.cli import app

    root = typer.main.get_command(app)
    lines = ["| command | what it does |", "|---|---|"]
    for usage, summary in _rows(root, "rlcoach"):
        cell, what = usage.replace("|", "\\|"), summary.replace("|", "\\|")
        lines.append(f"| `{cell}` | {what} |")
    return "\n".join(lines)


def updated(readme: str) -> str:
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{render_table()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    new = updated(text)
    if "--check" in argv:
        if new != text:
            print("README.md's command table is stale: run python scripts/readme_commands.py",
                  file=sys.stderr)
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
