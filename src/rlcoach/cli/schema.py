"""``rlcoach schema``: print the report's JSON Schema."""

from __future__ import annotations

import typer

app = typer.Typer()


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of report v1 (the contract of `rlcoach analyze`).

    Example: rlcoach schema > report-v1.schema.json
    """
    from rlcoach.cli.render import print_json
    from rlcoach.report.schema import shipped_schema

    print_json(shipped_schema())
