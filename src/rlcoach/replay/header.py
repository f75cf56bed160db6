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
from rlcoach.replay.types import PlayerInfo, ReplayData, unique_keys

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
    """Match header PlayerStats rows to players by platform id, then by name and team,
    then placeholder names (bots without a name in the frames) to the team's id-less rows.

    Ids first: a player renamed since (same account, another name in the
    frames) keeps his scoreboard row. The header is the truth for the
    scoreboard, so a matched row's name replaces the frames' name, and the
    report says so (quality ``player-renamed``).
    """
    rows = [r for r in replay.header.get("PlayerStats") or [] if isinstance(r, dict)]
    used: set[int] = set()
    renamed: list[str] = []
    for by_id in (True, False):
        for player in replay.players:
            if player.scoreboard is not None:
                continue
            for i, row in enumerate(rows):
                if i not in used and _row_matches(row, player, by_id):
                    used.add(i)
                    renamed += _attach(player, row)
                    break
    for player, i in _placeholder_pairs(replay.players, rows, used):
        used.add(i)
        renamed += _attach(player, rows[i])
    unique_keys(replay.players)  # a renamed bot's key follows its name
    if renamed:
        replay.warnings.append((
            "player-renamed",
            "the frames name some players differently from the header's scoreboard; the "
            f"header's names are used: {', '.join(renamed)}"))
    if unresolved := [p.name for p in replay.players if is_placeholder_name(p.name)]:
        replay.warnings.append((
            "player-name-unresolved",
            f"player names that look like engine ids, not names: {', '.join(unresolved)} "
            "(the header has no scoreboard row to name them)"))


def is_placeholder_name(name: str) -> bool:
    """An engine id standing in for a name: empty, "?" or a long pure integer.

    Bots have been seen named ``4294967274`` (a negative 32-bit id printed
    unsigned) in the frames while the header has their real names; 9+ digits
    is beyond any name the game's own bots or a typical player use.
    """
    text = name.strip()
    return text in ("", "?") or (text.lstrip("-").isdigit() and len(text.lstrip("-")) >= 9)


def _placeholder_pairs(players: list[PlayerInfo], rows: list[dict[str, Any]],
                       used: set[int]) -> list[tuple[PlayerInfo, int]]:
    """Players with a placeholder name and no platform id, paired in order with their
    team's unmatched rows without an account id, when the counts agree (else unpaired:
    a wrong pairing would swap scoreboards)."""
    pairs: list[tuple[PlayerInfo, int]] = []
    for team in (0, 1):
        waiting = [p for p in players if p.team == team and p.scoreboard is None
                   and not p.platform_id and is_placeholder_name(p.name)]
        free = [i for i, r in enumerate(rows) if i not in used and not _row_ids(r)
                and r.get("Team") is not None and int(r["Team"]) == team]
        if waiting and len(waiting) == len(free):
            pairs += zip(waiting, free, strict=True)
    return pairs


def _attach(player: PlayerInfo, row: dict[str, Any]) -> list[str]:
    """Give ``player`` the row's scoreboard and name; the rename, if any, as text."""
    renamed = []
    header_name = str(row.get("Name") or "").strip()
    if header_name and header_name != player.name.strip():
        renamed.append(f"{player.name} -> {header_name}")
        player.name = header_name
    player.scoreboard = {
        k.lower(): int(row.get(k, 0) or 0) for k in ("Score", "Goals", "Assists", "Saves", "Shots")
    }
    if player.platform is None:
        player.platform = _PLATFORM_VALUES.get((row.get("Platform") or {}).get("value", ""))
    if row.get("bBot"):
        player.is_bot = True
    return renamed


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
