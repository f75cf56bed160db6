"""Readable names for ids the replay stores as codes.

Only names we are sure of: an unknown code stays unnamed (the report keeps
the code) rather than being guessed.
"""

from __future__ import annotations

CAR_NAMES: dict[int, str] = {
    21: "Backfire", 22: "Breakout", 23: "Octane", 24: "Paladin", 25: "Road Hog",
    26: "Gizmo", 27: "Sweet Tooth", 28: "X-Devil", 29: "Hotshot", 30: "Merc", 31: "Venom",
    402: "Takumi", 403: "Dominus", 404: "Scarab", 523: "Zippy", 597: "DeLorean Time Machine",
    600: "Ripper", 607: "Grog", 625: "Armadillo", 723: "Warthog", 1018: "Dominus GT",
    1159: "X-Devil Mk2", 1171: "Masamune", 1172: "Marauder", 1286: "Aftershock",
    1295: "Takumi RX-T", 1300: "Road Hog XL", 1317: "Esper", 1416: "Breakout Type-S",
    1475: "Proteus", 1478: "Triton", 1533: "Vulcan", 1568: "Octane ZSR", 1623: "Bone Shaker",
    1624: "Endo", 1691: "Mantis", 1919: "Imperator DT5", 1932: "Centio V17",
    2070: "Animus GP", 2268: "Dingo", 4284: "Fennec",
}

MAP_NAMES: dict[str, str] = {
    "stadium_p": "DFH Stadium", "stadium_day_p": "DFH Stadium (Day)",
    "stadium_foggy_p": "DFH Stadium (Stormy)", "stadium_winter_p": "DFH Stadium (Snowy)",
    "eurostadium_p": "Mannfield", "eurostadium_night_p": "Mannfield (Night)",
    "eurostadium_rainy_p": "Mannfield (Stormy)", "eurostadium_snownight_p": "Mannfield (Snowy)",
    "eurostadium_dusk_p": "Mannfield (Dusk)",
    "utopiastadium_p": "Utopia Coliseum", "utopiastadium_dusk_p": "Utopia Coliseum (Dusk)",
    "utopiastadium_snow_p": "Utopia Coliseum (Snowy)",
    "park_p": "Beckwith Park", "park_night_p": "Beckwith Park (Midnight)",
    "park_rainy_p": "Beckwith Park (Stormy)",
    "trainstation_p": "Urban Central", "trainstation_night_p": "Urban Central (Night)",
    "trainstation_dawn_p": "Urban Central (Dawn)",
    "wasteland_p": "Wasteland", "wasteland_night_p": "Wasteland (Night)",
    "wasteland_s_p": "Wasteland (Standard)", "wasteland_night_s_p": "Wasteland (Standard, Night)",
    "wasteland_grs_p": "Wasteland (Pitched)",
    "neotokyo_p": "Tokyo Underpass", "neotokyo_standard_p": "Neo Tokyo",
    "cs_p": "Champions Field", "cs_day_p": "Champions Field (Day)", "cs_hw_p": "Rivals Arena",
    "arc_p": "Starbase ARC", "arc_standard_p": "Starbase ARC (Standard)",
    "arc_darc_p": "Starbase ARC (Aftermath)",
    "farm_p": "Farmstead", "farm_night_p": "Farmstead (Night)",
    "beach_p": "Salty Shores", "beach_night_p": "Salty Shores (Night)",
    "street_p": "Sovereign Heights (Dusk)",
    "outlaw_p": "Deadeye Canyon", "outlaw_oasis_p": "Deadeye Canyon (Oasis)",
    "chn_stadium_p": "Forbidden Temple", "chn_stadium_day_p": "Forbidden Temple (Day)",
    "underwater_p": "AquaDome", "shattershot_p": "Core 707",
    "throwbackstadium_p": "Throwback Stadium", "hoopsstadium_p": "Dunk House",
    "music_p": "Neon Fields",
}

# Playlist ids as the game numbers them; the match type decides first.
PLAYLISTS: dict[int, tuple[str, str]] = {
    1: ("casual-duel", "Casual Duel"), 2: ("casual-doubles", "Casual Doubles"),
    3: ("casual-standard", "Casual Standard"), 4: ("casual-chaos", "Casual Chaos"),
    6: ("private", "Private"), 8: ("offline", "Offline"),
    10: ("ranked-duel", "Ranked Duel"), 11: ("ranked-doubles", "Ranked Doubles"),
    12: ("ranked-solo-standard", "Ranked Solo Standard"),
    13: ("ranked-standard", "Ranked Standard"), 15: ("snowday", "Snow Day"),
    16: ("rocket-labs", "Rocket Labs"), 17: ("hoops", "Hoops"), 18: ("rumble", "Rumble"),
    22: ("tournament", "Tournament"), 23: ("dropshot", "Dropshot"),
    27: ("ranked-hoops", "Ranked Hoops"), 28: ("ranked-rumble", "Ranked Rumble"),
    29: ("ranked-dropshot", "Ranked Dropshot"), 30: ("ranked-snowday", "Ranked Snow Day"),
    34: ("tournament", "Tournament"),
}

_BY_GAME_TYPE = {
    "Private": ("private", "Private"), "Lan": ("lan", "LAN"), "Offline": ("offline", "Offline"),
    "Tournament": ("tournament", "Tournament"),
}


def playlist_for(game_type: dict[str, object]) -> tuple[str, str | None]:
    """(slug, display name); ("unknown", None) when the replay doesn't say."""
    kind = game_type.get("game_type")
    if isinstance(kind, str) and kind in _BY_GAME_TYPE:
        return _BY_GAME_TYPE[kind]
    pid = game_type.get("playlist_id")
    if isinstance(pid, int) and pid in PLAYLISTS:
        return PLAYLISTS[pid]
    return "unknown", None


def map_name_for(map_code: str | None) -> str | None:
    return MAP_NAMES.get(map_code.lower()) if map_code else None
