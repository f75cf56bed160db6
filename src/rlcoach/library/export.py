"""CSV export: one row per (game, player), every registry metric a column.

Wide rows are what spreadsheets and pandas want, so the long
``metric_values`` table is pivoted here, a chunk of games at a time so a
large library never sits in memory at once. Columns are fixed by the
registry (``group.key``), not by what happens to be stored, so scripts can
rely on them; a metric a game could not compute is an empty cell.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import select

from rlcoach.config import Identity
from rlcoach.library.db import Library
from rlcoach.library.filters import (
    GameFilter,
    apply_filter,
    base_games,
    me_condition,
    my_rows,
    resolve_identity,
)
from rlcoach.library.schema import games, metric_values, players
from rlcoach.report.registry import METRICS

GAME_COLUMNS = (
    "game_id", "played_at", "playlist", "map", "team_size", "duration", "overtime",
    "blue_score", "orange_score", "winner", "match_guid",
)
PLAYER_COLUMNS = ("player", "platform", "player_id", "team", "is_bot", "is_me", "result")
COLUMNS = (*GAME_COLUMNS, *PLAYER_COLUMNS, *(m.qualified for m in METRICS))


def export_rows(library: Library, *, filters: GameFilter | None = None,
                identity: Identity | None = None, chunk: int = 200) -> Iterator[dict[str, Any]]:
    """Rows oldest game first, players in report order."""
    me = my_rows(me_condition(library, resolve_identity(identity)))
    query = apply_filter(base_games(me), me, filters).order_by(games.c.played_at, games.c.id)
    names = {v: k for k, v in library.metric_ids().items()}
    with library.connect() as conn:
        game_rows = [dict(r) for r in conn.execute(query).mappings()]
    for start in range(0, len(game_rows), chunk):
        batch = {g["id"]: g for g in game_rows[start:start + chunk]}
        with library.connect() as conn:
            roster = conn.execute(
                select(players).where(players.c.game_id.in_(batch)).order_by(players.c.id)
            ).mappings().all()
            values: dict[int, dict[str, float]] = {}
            for prow, mid, value in conn.execute(
                select(metric_values.c.player_row, metric_values.c.metric_id,
                       metric_values.c.value)
                .where(metric_values.c.player_row.in_([p["id"] for p in roster]))
            ):
                values.setdefault(prow, {})[names[mid]] = value
        order = {gid: i for i, gid in enumerate(batch)}
        for p in sorted(roster, key=lambda p: (order[p["game_id"]], p["id"])):
            g = batch[p["game_id"]]
            winner = g["winner"]
            row: dict[str, Any] = {
                "game_id": g["id"], "played_at": g["played_at"], "playlist": g["playlist"],
                "map": g["map_name"], "team_size": g["team_size"], "duration": g["duration"],
                "overtime": bool(g["overtime"]), "blue_score": g["blue_score"],
                "orange_score": g["orange_score"], "winner": winner,
                "match_guid": g["match_guid"], "player": p["name"], "platform": p["platform"],
                "player_id": p["player_id"], "team": p["team"], "is_bot": bool(p["is_bot"]),
                "is_me": p["id"] == g["my_row"],
                "result": None if winner is None else "win" if winner == p["team"] else "loss",
            }
            row.update(values.get(p["id"], {}))
            yield row


def export_csv(library: Library, out: TextIO, *, filters: GameFilter | None = None,
               identity: Identity | None = None) -> int:
    """Write the CSV to ``out``; returns the number of data rows."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in export_rows(library, filters=filters, identity=identity):
        writer.writerow(row)
        count += 1
    return count
