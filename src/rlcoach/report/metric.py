"""One metric's declaration: key, group, unit, direction, label, definition.

Shared by the registry and the coaching metrics so both declare metrics the
same way without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["higher", "lower", "neutral"]
Unit = Literal["count", "s", "%", "boost", "boost/min", "uu", "uu/s", "bool", "points", "xG"]

# Absolute parity slack per unit (the tolerance rules); counts are +-1.
_SLACK: dict[str, float] = {
    "count": 1, "points": 1, "s": 1.0, "%": 1.0, "boost": 10.0, "boost/min": 5.0,
    "uu": 100.0, "uu/s": 25.0, "bool": 0.0, "xG": 0.1,
}


@dataclass(frozen=True)
class Metric:
    key: str
    group: str
    unit: Unit
    direction: Direction
    label: str
    definition: str
    integer: bool = False
    slack: float | None = None  # overrides the unit's parity slack

    @property
    def qualified(self) -> str:
        """``group.key``: unique, since ballchasing reuses keys across groups."""
        return f"{self.group}.{self.key}"

    @property
    def header(self) -> str:
        """Column header: the label, with the unit only where it adds something."""
        if self.unit in ("count", "bool", "points") or self.unit in self.label.split() \
                or (self.unit == "%" and "%" in self.label):
            return self.label
        return f"{self.label} ({self.unit})"

    @property
    def parity_slack(self) -> float:
        return self.slack if self.slack is not None else _SLACK[self.unit]

    @property
    def relative_tolerance(self) -> float:
        """Counts are judged by +-1 only; everything else may also be 5% off."""
        return 0.0 if self.unit in ("count", "points", "bool") else 0.05


def m(group: str, key: str, unit: Unit, direction: Direction, label: str, definition: str,
       **kw: object) -> Metric:
    integer = unit in ("count", "points") or bool(kw.pop("integer", False))
    return Metric(key, group, unit, direction, label, definition, integer=integer, **kw)  # type: ignore[arg-type]


