"""Report validation (placeholder until the schema module is written)."""

from __future__ import annotations

from typing import Any


def validate_report(report: dict[str, Any]) -> None:
    return None
