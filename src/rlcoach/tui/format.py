"""Text formatting shared by the dashboard's screens.

Every function that depends on the current time takes ``now`` explicitly: the
app holds one injected "now" so snapshot tests render the same text on any
day. Units and precision come from the metric registry, never from the
screen that happens to show a number.
"""

from __future__ import annotations

from datetime import datetime

from rlcoach.report.registry import Metric

DASH = "–"


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[:max(0, width - 1)] + "…"


def clock(seconds: float | None) -> str:
    """Match clock ``m:ss`` (times in a report are seconds from the start)."""
    if seconds is None:
        return DASH
    s = max(0, round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def when(date: datetime | None, now: datetime) -> str:
    """Short, stable relative date: "today 18:55", "yesterday", "3d ago", "2026-03-10"."""
    if date is None:
        return "unknown"
    days = (now.date() - date.date()).days
    if days == 0:
        return f"today {date:%H:%M}"
    if days == 1:
        return f"yest. {date:%H:%M}"
    if 1 < days < 7:
        return f"{days}d ago"
    return f"{date:%Y-%m-%d}"


def value(m: Metric, v: float | None) -> str:
    """A metric value in its unit's usual precision."""
    if v is None:
        return DASH
    if m.unit == "bool":
        return "yes" if v >= 0.5 else "no"
    if m.integer or m.unit in ("uu", "uu/s", "boost/min"):
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.0f}"
    if m.unit == "%":
        return f"{v:.1f}%"
    if m.unit == "s":
        return f"{v:.2f}s" if abs(v) < 1 else f"{v:.1f}s"  # powerslides last ~0.1 s
    return f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"


def mean_value(m: Metric, v: float | None) -> str:
    """Like ``value`` but counts keep decimals: an average of 0.52 goals is not "1"."""
    if v is None:
        return DASH
    if m.unit in ("count", "bool"):
        return f"{v:.2f}"
    if m.unit == "points":
        return f"{v:.0f}"
    return value(m, v)


def delta(m: Metric, mine: float | None, other: float | None) -> tuple[str, str]:
    """Signed difference and a style: green when it is better for this metric."""
    if mine is None or other is None:
        return DASH, "dim"
    d = mine - other
    sign = "+" if d > 0 else "-" if d < 0 else ""
    # A difference of percentages is in points, not percent; any other difference
    # in the precision of the values it is the difference of.
    text = f"{sign}{abs(d):.1f} pp" if m.unit == "%" else sign + mean_value(m, abs(d))
    if m.direction == "neutral" or abs(d) < 1e-9:
        return text, ""
    better = (d > 0) == (m.direction == "higher")
    return text, ("green" if better else "red")


def rate(per_minute: float) -> str:
    """A per-game total as a rate per minute of play."""
    return f"{per_minute:.2f}/min" if abs(per_minute) < 10 else f"{per_minute:,.0f}/min"


def result_style(result: str | None) -> str:
    return {"W": "bold green", "L": "bold red"}.get(result or "", "dim")


def pct(num: int, den: int) -> str:
    return f"{100 * num / den:.0f}%" if den else DASH


def playlist_name(slug: str | None) -> str:
    """A playlist's slug as people say it: "ranked-doubles" -> "Ranked Doubles"."""
    return (slug or "").replace("-", " ").title()
