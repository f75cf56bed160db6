"""The replay header: the truth for date, playlist, score and scoreboard.

Also the small fixed-layout prelude (engine and network versions) that we
read ourselves, and the engine's player list turned into ``PlayerInfo``.
Nothing here is guessed: a field the header lacks stays ``None``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlcoach.replay.names import CAR_NAMES
from rlcoach.replay.types import PlayerInfo, ReplayData

_PLATFORM_KEYS = {"Steam": "steam", "Epic": "epic", "PlayStation": "ps4", "PsyNet": "ps4",
                  "Xbox": "xbox", "Switch": "switch"}
_PLATFORM_VALUES = {"OnlinePlatform_Steam": "steam", "OnlinePlatform_Epic": "epic",
                    "OnlinePlatform_PS4": "ps4", "OnlinePlatform_PS5": "ps4",
                    "OnlinePlatform_Dingo": "xbox", "OnlinePlatform_Switch": "switch"}


@dataclass(frozen=True)
class Prelude:
    version: str | None  # "868.32"
    network_version: int | None


def read_prelude(path: Path) -> Prelude:
    """header_size, crc, engine major/minor and (newer files) net version."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(20)
    except OSError:
        return Prelude(None, None)
    if len(raw) < 16:
        return Prelude(None, None)
    _size, _crc, major, minor = struct.unpack_from("<IIII", raw)
    if major > 10_000 or minor > 10_000:  # not a replay; the engine will say so
        return Prelude(None, None)
    net = None
    if major >= 866 and minor >= 18 and len(raw) >= 20:
        net = struct.unpack_from("<I", raw, 16)[0]
    return Prelude(f"{major}.{minor}", net)


def header_dict(all_headers: list[list[Any]]) -> dict[str, Any]:
    return {str(k): v for k, v in all_headers}


def _remote_id(remote: Any) -> tuple[str | None, str | None]:
    """ballchasing's (platform, id) for the engine's remote id."""
    if not isinstance(remote, dict) or not remote:
        return None, None
    kind, value = next(iter(remote.items()))
    platform = _PLATFORM_KEYS.get(kind)
    if platform is None:
        return None, None  # SplitScreen guests, bots
    if kind == "Xbox":
        # ballchasing shows the 64-bit id as little-endian hex.
        try:
            return platform, int(value).to_bytes(8, "little").hex()
        except (TypeError, ValueError, OverflowError):
            return platform, str(value)
    if isinstance(value, dict):  # PlayStation / Switch carry a name
        value = value.get("name") or value.get("online_id")
    return platform, str(value) if value not in (None, "") else None


def players_from_meta(meta: dict[str, Any]) -> list[PlayerInfo]:
    """Blue then orange, in the engine's column order."""
    players = []
    for team, key in ((0, "team_zero"), (1, "team_one")):
        for p in meta.get(key) or []:
            platform, pid = _remote_id(p.get("remote_id"))
            cam = p.get("camera_settings") or {}
            car_id = p.get("car_body_id")
            players.append(
                PlayerInfo(
                    name=str(p.get("name") or "?"),
                    team=team,
                    platform=platform,
                    platform_id=pid,
                    is_bot=bool((p.get("stats") or {}).get("bBot", False)),
                    car_id=car_id,
                    car_name=CAR_NAMES.get(car_id) if car_id is not None else None,
                    camera=_camera(cam),
                )
            )
    return players


# ballchasing's camera keys and the engine's names for them.
_CAMERA_KEYS = {"fov": "fov", "height": "height", "pitch": "angle", "distance": "distance",
                "stiffness": "stiffness", "swivel_speed": "swivel_speed",
                "transition_speed": "transition_speed"}


def _camera(cam: dict[str, Any]) -> dict[str, float]:
    return {ours: round(float(cam[theirs]), 3) for ours, theirs in _CAMERA_KEYS.items()
            if isinstance(cam.get(theirs), int | float)}


def attach_scoreboards(replay: ReplayData) -> None:
    """Match header PlayerStats rows to players by platform id, then by name and team.

    Ids first: a player renamed since (same account, another name in the
    frames) keeps his scoreboard row.
    """
    rows = [r for r in replay.header.get("PlayerStats") or [] if isinstance(r, dict)]
    used: set[int] = set()
    for by_id in (True, False):
        for player in replay.players:
            if player.scoreboard is not None:
                continue
            for i, row in enumerate(rows):
                if i not in used and _row_matches(row, player, by_id):
                    used.add(i)
                    _attach(player, row)
                    break


def _attach(player: PlayerInfo, row: dict[str, Any]) -> None:
    player.scoreboard = {
        k.lower(): int(row.get(k, 0) or 0) for k in ("Score", "Goals", "Assists", "Saves", "Shots")
    }
    if player.platform is None:
        player.platform = _PLATFORM_VALUES.get((row.get("Platform") or {}).get("value", ""))
    if row.get("bBot"):
        player.is_bot = True


def _row_ids(row: dict[str, Any]) -> set[str]:
    """The account ids a scoreboard row carries ("0" means none)."""
    fields = (row.get("PlayerID") or {}).get("fields") or {}
    ids = {str(row.get("OnlineID", "")), str(fields.get("EpicAccountId", "")),
           str(fields.get("Uid", ""))}
    return ids - {"", "0", "None"}


def _row_matches(row: dict[str, Any], player: PlayerInfo, by_id: bool) -> bool:
    team = row.get("Team")
    if team is not None and int(team) != player.team:
        return False
    if by_id:
        return player.platform_id is not None and str(player.platform_id) in _row_ids(row)
    return str(row.get("Name", "")).strip() == player.name.strip()
