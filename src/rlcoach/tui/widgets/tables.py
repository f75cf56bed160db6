"""The games table layout shared by Home and Games.

Columns are chosen to fit 80 columns with the user's key stats; on a wider
terminal the playlist and map columns take the spare width (full names from
about 110 columns on). Row keys are game ids so Enter can open the game
without another lookup.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rich.text import Text
from textual.widgets import DataTable

from rlcoach.library.queries import GameRow
from rlcoach.report.registry import BY_QUALIFIED
from rlcoach.tui import format as fmt
from rlcoach.tui.models import ROW_STATS

# (column key, label) for the fixed part; the sort key the library accepts
# for each column sits in SORT_KEYS.
FIXED = (("date", "When"), ("result", "Res"), ("score", "Score"), ("playlist", "Playlist"),
         ("map", "Map"))
SHORT = {"core.score": "Pts", "core.goals": "G", "core.assists": "A", "core.saves": "Sv",
         "core.shots": "Sh", "boost.bpm": "BPM"}
SORT_KEYS = {"date": "date", "result": "result", "playlist": "playlist", "map": "map",
             **{k: k for k in ROW_STATS}}


def game_columns(table: DataTable) -> None:
    for key, label in FIXED:
        table.add_column(label, key=key)
    for key in ROW_STATS:
        table.add_column(SHORT.get(key, BY_QUALIFIED[key].label), key=key)


# Text widths at 80 columns; BASE_WIDTH is the terminal width they fit.
PLAYLIST_W, MAP_W, BASE_WIDTH = 11, 13, 80


def text_widths(terminal_width: int) -> tuple[int, int]:
    """(playlist, map) widths: a third of the spare columns to the playlist, the rest to the map."""
    spare = max(0, terminal_width - BASE_WIDTH)
    return PLAYLIST_W + spare // 3, MAP_W + spare - spare // 3


def _playlist(row: GameRow, width: int) -> str:
    name = row.playlist_name or row.playlist or "?"
    if len(name) > width:  # abbreviate only when the full name does not fit
        name = name.replace("Ranked ", "R. ").replace("Casual ", "C. ")
    return fmt.clip(name, width)


def cells(row: GameRow, now: datetime, widths: tuple[int, int] = (PLAYLIST_W, MAP_W)
          ) -> list[object]:
    res = {"win": "W", "loss": "L"}.get(row.result or "", "·")
    if row.my_team is not None:
        score = f"{row.my_score}-{row.their_score}"
    else:  # not the user's game: blue first, as in the replay
        score = f"{row.score['blue']}-{row.score['orange']}"
    if row.overtime:
        score += "*"
    out: list[object] = [
        fmt.when(row.played_at, now), Text(res, style=fmt.result_style(res)), score,
        _playlist(row, widths[0]), fmt.clip(row.map_name or "?", widths[1]),
    ]
    for key in ROW_STATS:
        v = row.my_stats.get(key)
        out.append(Text(fmt.value(BY_QUALIFIED[key], v), justify="right"))
    return out


def add_game_rows(table: DataTable, rows: Iterable[GameRow], now: datetime) -> None:
    widths = text_widths(table.app.size.width)
    for row in rows:
        table.add_row(*cells(row, now, widths), key=str(row.game_id))
