"""Compare a report with ballchasing.com's published stats for the same replay.

References come as ballchasing's API JSON or its semicolon-separated CSV
export. A (player, field) pair is a hit when our value is within the
registry's tolerance: counts within +-1; everything else within 5% relative
or the unit's absolute slack. A field ballchasing publishes that the report
lacks is a miss.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from rlcoach.report.registry import BY_QUALIFIED

_CSV_FIELDS = {
    "score": "core.score", "goals": "core.goals", "assists": "core.assists",
    "saves": "core.saves", "shots": "core.shots", "shots conceded": "core.shots_against",
    "goals conceded": "core.goals_against",
    "goals conceded while last defender": "positioning.goals_against_while_last_defender",
    "shooting percentage": "core.shooting_percentage", "bpm": "boost.bpm",
    "avg boost amount": "boost.avg_amount", "amount collected": "boost.amount_collected",
    "amount collected big pads": "boost.amount_collected_big",
    "amount collected small pads": "boost.amount_collected_small",
    "count collected big pads": "boost.count_collected_big",
    "count collected small pads": "boost.count_collected_small",
    "amount stolen": "boost.amount_stolen", "amount stolen big pads": "boost.amount_stolen_big",
    "amount stolen small pads": "boost.amount_stolen_small",
    "count stolen big pads": "boost.count_stolen_big",
    "count stolen small pads": "boost.count_stolen_small",
    "0 boost time": "boost.time_zero_boost", "100 boost time": "boost.time_full_boost",
    "amount used while supersonic": "boost.amount_used_while_supersonic",
    "amount overfill total": "boost.amount_overfill",
    "amount overfill stolen": "boost.amount_overfill_stolen",
    "avg speed": "movement.avg_speed", "total distance": "movement.total_distance",
    "time slow speed": "movement.time_slow_speed",
    "percentage slow speed": "movement.percent_slow_speed",
    "time boost speed": "movement.time_boost_speed",
    "percentage boost speed": "movement.percent_boost_speed",
    "time supersonic speed": "movement.time_supersonic_speed",
    "percentage supersonic speed": "movement.percent_supersonic_speed",
    "time on ground": "movement.time_ground", "percentage on ground": "movement.percent_ground",
    "time low in air": "movement.time_low_air",
    "percentage low in air": "movement.percent_low_air",
    "time high in air": "movement.time_high_air",
    "percentage high in air": "movement.percent_high_air",
    "time powerslide": "movement.time_powerslide",
    "avg powerslide time": "movement.avg_powerslide_duration",
    "count powerslide": "movement.count_powerslide",
    "time most back": "positioning.time_most_back",
    "time most forward": "positioning.time_most_forward",
    "avg distance to ball": "positioning.avg_distance_to_ball",
    "avg distance to ball has possession": "positioning.avg_distance_to_ball_possession",
    "avg distance to ball no possession": "positioning.avg_distance_to_ball_no_possession",
    "avg distance to team mates": "positioning.avg_distance_to_mates",
    "time behind ball": "positioning.time_behind_ball",
    "percentage behind ball": "positioning.percent_behind_ball",
    "time in front of ball": "positioning.time_infront_ball",
    "percentage in front of ball": "positioning.percent_infront_ball",
    "time defensive half": "positioning.time_defensive_half",
    "percentage defensive half": "positioning.percent_defensive_half",
    "time offensive half": "positioning.time_offensive_half",
    "percentage offensive half": "positioning.percent_offensive_half",
    "time defensive third": "positioning.time_defensive_third",
    "percentage defensive third": "positioning.percent_defensive_third",
    "time neutral third": "positioning.time_neutral_third",
    "percentage neutral third": "positioning.percent_neutral_third",
    "time offensive third": "positioning.time_offensive_third",
    "percentage offensive third": "positioning.percent_offensive_third",
    "demos inflicted": "demo.inflicted", "demos taken": "demo.taken",
}


@dataclass
class RefPlayer:
    name: str
    platform: str | None
    id: str | None
    values: dict[str, float]  # "group.key" -> value


@dataclass(frozen=True)
class Check:
    replay: str
    player: str
    field: str
    ours: float | None
    theirs: float
    ok: bool


@dataclass
class FieldRow:
    hits: int = 0
    n: int = 0
    worst: tuple[float, float, str] | None = None

    @property
    def rate(self) -> float:
        return self.hits / self.n if self.n else 1.0


@dataclass
class Summary:
    checks: list[Check] = field(default_factory=list)

    @property
    def hits(self) -> int:
        return sum(c.ok for c in self.checks)

    @property
    def n(self) -> int:
        return len(self.checks)

    @property
    def rate(self) -> float:
        return self.hits / self.n if self.n else 0.0

    @property
    def by_field(self) -> dict[str, FieldRow]:
        rows: dict[str, FieldRow] = {}
        for c in self.checks:
            row = rows.setdefault(c.field, FieldRow())
            row.n += 1
            row.hits += c.ok
            if not c.ok:
                gap = abs((c.ours or 0) - c.theirs)
                if row.worst is None or gap > abs(row.worst[0] - row.worst[1]):
                    row.worst = (c.ours if c.ours is not None else float("nan"), c.theirs,
                                 c.player)
        return rows


def players_from_json(data: dict[str, Any]) -> list[RefPlayer]:
    out = []
    for color in ("blue", "orange"):
        for p in (data.get(color) or {}).get("players") or []:
            values = {}
            for group, fields in (p.get("stats") or {}).items():
                for key, v in fields.items():
                    q = f"{group}.{key}"
                    if q in BY_QUALIFIED and isinstance(v, int | float):
                        values[q] = float(v)
            pid = p.get("id") or {}
            out.append(RefPlayer(p.get("name", ""), pid.get("platform"), pid.get("id"), values))
    return out


def players_from_csv(text: str) -> list[RefPlayer]:
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    out = []
    for row in reader:
        values = {}
        for col, q in _CSV_FIELDS.items():
            raw = (row.get(col) or "").strip()
            if raw:
                values[q] = float(raw)
        platform = (row.get("platform") or "").strip().lower() or None
        out.append(RefPlayer((row.get("player name") or "").strip(), platform,
                             (row.get("player id") or "").strip() or None, values))
    return out


def within(qualified: str, ours: float, theirs: float) -> bool:
    m = BY_QUALIFIED[qualified]
    gap = abs(ours - theirs)
    return gap <= m.parity_slack + 1e-9 or gap <= m.relative_tolerance * abs(theirs) + 1e-9


def compare(report: dict[str, Any], refs: list[RefPlayer], replay: str = "") -> list[Check]:
    checks = []
    for ref in refs:
        player = _match(report, ref)
        for q, theirs in sorted(ref.values.items()):
            ours = None
            if player is not None:
                group, key = q.split(".")
                value = (player.get("stats", {}).get(group) or {}).get(key)
                ours = float(value) if isinstance(value, int | float) else None
            ok = ours is not None and within(q, ours, theirs)
            checks.append(Check(replay, ref.name, q, ours, theirs, ok))
    return checks


def _match(report: dict[str, Any], ref: RefPlayer) -> dict[str, Any] | None:
    players = report.get("players") or []
    if ref.id:
        for p in players:
            if p.get("id") and str(p["id"]).lower() == ref.id.lower():
                return p
    for p in players:
        if p.get("name", "").strip() == ref.name.strip():
            return p
    return None
