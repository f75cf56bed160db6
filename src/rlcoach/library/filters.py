"""Who "me" is, and how a ``GameFilter`` becomes SQL.

"Me" is resolved at query time: we list the distinct (platform, id, name)
triples stored in ``players`` (an index covers them, so this is cheap even
with thousands of games), ask ``Identity.matches`` about each, and turn the
matching triples into a row-value ``IN``. Going through ``Identity.matches``
rather than re-implementing its rules in SQL keeps one definition of "me".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    exists,
    false,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import aliased

from rlcoach.config import Identity, load_config
from rlcoach.library.db import Library
from rlcoach.library.schema import games, players

Result = Literal["win", "loss"]


@dataclass(frozen=True)
class GameFilter:
    """Which games a query looks at. Every field is optional; all must hold.

    ``since``/``until`` accept dates, datetimes or ISO strings (a date alone
    means the whole day). ``teammate`` and ``text`` are case-insensitive
    substrings: a teammate's name; a map, playlist or any player's name.
    ``mine_only`` keeps only games the user played in.
    """

    playlist: str | tuple[str, ...] | None = None
    since: date | datetime | str | None = None
    until: date | datetime | str | None = None
    result: Result | None = None
    teammate: str | None = None
    text: str | None = None
    mine_only: bool = False


def resolve_identity(identity: Identity | None) -> Identity:
    return identity if identity is not None else load_config().identity


def me_condition(library: Library, identity: Identity) -> ColumnElement[bool]:
    """A condition on ``players`` true for the user's rows."""
    if identity.is_empty:
        return false()
    with library.connect() as conn:
        triples = conn.execute(
            select(players.c.platform, players.c.player_id, players.c.name).distinct()
        ).all()
    mine = [
        (platform or "", player_id or "", name)
        for platform, player_id, name in triples
        if identity.matches(platform, player_id, name)
    ]
    if not mine:
        return false()
    return tuple_(
        func.coalesce(players.c.platform, ""), func.coalesce(players.c.player_id, ""),
        players.c.name,
    ).in_(mine)


def my_rows(condition: ColumnElement[bool]) -> Subquery:
    """One row per game the user played in: (game_id, player_row, team).

    If two of the user's accounts share a game, the first one counts
    (SQLite returns the bare ``team`` column from the ``MIN`` row).
    """
    return (
        select(
            players.c.game_id.label("game_id"),
            func.min(players.c.id).label("player_row"),
            players.c.team.label("team"),
        )
        .where(condition)
        .group_by(players.c.game_id)
        .subquery("me")
    )


def result_expr(me: Subquery) -> ColumnElement[str | None]:
    return case(
        (or_(me.c.team.is_(None), games.c.winner.is_(None)), None),
        (games.c.winner == me.c.team, "win"),
        else_="loss",
    )


def base_games(me: Subquery) -> Select:
    """Games with the user's row and result (NULL where the user is absent)."""
    return select(
        games, me.c.player_row.label("my_row"), me.c.team.label("my_team"),
        result_expr(me).label("result"),
    ).select_from(games.outerjoin(me, me.c.game_id == games.c.id))


def apply_filter(query: Select, me: Subquery, flt: GameFilter | None) -> Select:
    if flt is None:
        return query
    if flt.playlist:
        wanted = (flt.playlist,) if isinstance(flt.playlist, str) else tuple(flt.playlist)
        query = query.where(games.c.playlist.in_(wanted))
    if flt.since is not None:
        query = query.where(games.c.played_at >= iso_bound(flt.since, end=False))
    if flt.until is not None:
        query = query.where(games.c.played_at <= iso_bound(flt.until, end=True))
    if flt.mine_only or flt.result or flt.teammate:
        query = query.where(me.c.player_row.is_not(None))
    if flt.result:
        query = query.where(result_expr(me) == flt.result)
    if flt.teammate:
        mate = aliased(players)
        query = query.where(exists().where(and_(
            mate.c.game_id == games.c.id, mate.c.team == me.c.team,
            mate.c.id != me.c.player_row, mate.c.name.icontains(flt.teammate, autoescape=True),
        )))
    if flt.text:
        anyone = aliased(players)
        needle = flt.text
        query = query.where(or_(
            games.c.map_name.icontains(needle, autoescape=True),
            games.c.map_code.icontains(needle, autoescape=True),
            games.c.playlist_name.icontains(needle, autoescape=True),
            games.c.playlist.icontains(needle, autoescape=True),
            exists().where(and_(anyone.c.game_id == games.c.id,
                                anyone.c.name.icontains(needle, autoescape=True))),
        ))
    return query


def iso_bound(value: date | datetime | str, *, end: bool) -> str:
    """An ISO string comparable with ``games.played_at`` (text comparison)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value or " " in value else \
            date.fromisoformat(value)
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.max if end else time.min)
    return value.replace(microsecond=0, tzinfo=None).isoformat()
