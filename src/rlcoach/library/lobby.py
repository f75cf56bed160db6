"""Aggregates counted by SQLite: win counts and lobby means.

Re-exported by ``rlcoach.library.queries``. Unlike the rest of
``library.stats`` (which fetches value rows and averages in Python), these
two sum and count inside one SQL query each: they run on every dashboard
Home and Compare load, and walking every value row of a 2,000-game library
in Python cost hundreds of milliseconds. ``tests/library`` checks them
against averages computed straight from the stored reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, select

from rlcoach.config import Identity
from rlcoach.errors import LibraryError
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
from rlcoach.library.stats import KEY_STATS, LobbyStat, WinRate, resolve_metric


def my_games_subquery(library: Library, identity: Identity, filters: GameFilter | None,
                      last: int | None) -> Any:
    """The user's games (newest ``last``) as a subquery of ``base_games``."""
    me = my_rows(me_condition(library, identity))
    query = apply_filter(base_games(me), me, filters).where(me.c.player_row.is_not(None))
    query = query.order_by(games.c.played_at.desc(), games.c.id.desc())
    return (query.limit(last) if last is not None else query).subquery("mine")


def _who_are_you() -> LibraryError:
    return LibraryError(
        "rlcoach does not know which player you are",
        hint="Add your name or platform id to [identity] in rlcoach.toml "
             "(`rlcoach games` shows who is in your games).",
    )


def win_rate(library: Library, *, filters: GameFilter | None = None, last: int | None = None,
             identity: Identity | None = None) -> WinRate:
    """Games, wins and losses of the user's (newest ``last``) games."""
    ident = resolve_identity(identity)
    mine = my_games_subquery(library, ident, filters, last)
    with library.connect() as conn:
        counts = dict(conn.execute(
            select(mine.c.result, func.count()).group_by(mine.c.result)).tuples().all())
    if not counts and ident.is_empty:
        raise _who_are_you()
    return WinRate(sum(counts.values()), counts.get("win", 0), counts.get("loss", 0))


def lobby_comparison(library: Library, metrics: Sequence[str] = KEY_STATS, *,
                     last: int | None = 50, filters: GameFilter | None = None,
                     identity: Identity | None = None,
                     per_minute: bool = False) -> list[LobbyStat]:
    """The user's mean per metric beside their teammates', opponents', lobby's.

    Bots are left out of every mean (they would drag the lobby down). With
    ``per_minute``, each mean is a rate: the values summed over the games,
    divided by those games' recorded minutes (so a long overtime weighs by
    its length instead of inflating a per-game mean).
    """
    ident = resolve_identity(identity)
    wanted = [resolve_metric(m) for m in metrics]
    ids = library.metric_ids()
    mine = my_games_subquery(library, ident, filters, last)
    role = case((players.c.id == mine.c.my_row, "me"),
                (players.c.team == mine.c.my_team, "mate"), else_="opp")
    query = (
        select(metric_values.c.metric_id, role.label("role"),
               func.sum(metric_values.c.value),
               func.sum(mine.c.duration) / 60.0 if per_minute else func.count())
        .select_from(mine.join(players, players.c.game_id == mine.c.id)
                     .join(metric_values, metric_values.c.player_row == players.c.id))
        .where(players.c.is_bot.is_(False),
               metric_values.c.metric_id.in_([ids[m.qualified] for m in wanted]))
        .group_by(metric_values.c.metric_id, role)
    )
    with library.connect() as conn:
        n_games = conn.execute(select(func.count()).select_from(mine)).scalar_one()
        sums = {(mid, r): (s, n) for mid, r, s, n in conn.execute(query).tuples()}
    if not n_games and ident.is_empty:
        raise _who_are_you()

    def mean(mid: int, *roles: str) -> float | None:
        total = sum(sums.get((mid, r), (0.0, 0))[0] for r in roles)
        count = sum(sums.get((mid, r), (0.0, 0))[1] for r in roles)
        return total / count if count else None

    out = []
    for m in wanted:
        mid = ids[m.qualified]
        out.append(LobbyStat(
            metric=m.qualified, label=m.label, unit=m.unit, direction=m.direction,
            me=mean(mid, "me"), teammates=mean(mid, "mate"), opponents=mean(mid, "opp"),
            lobby=mean(mid, "mate", "opp"), games=n_games,
        ))
    return out
