"""Where rlcoach keeps things.

``RLCOACH_HOME`` overrides every path (tests point it at a temp dir), so a
single variable isolates config, data and cache. Without it we follow the
platform conventions through platformdirs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "rlcoach"


def home_override() -> Path | None:
    value = os.environ.get("RLCOACH_HOME")
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    if (home := home_override()) is not None:
        return home / "config"
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    if (home := home_override()) is not None:
        return home / "data"
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    if (home := home_override()) is not None:
        return home / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def config_file() -> Path:
    """The rlcoach.toml in use: ``RLCOACH_CONFIG`` wins over the config dir."""
    if value := os.environ.get("RLCOACH_CONFIG"):
        return Path(value).expanduser()
    return config_dir() / "rlcoach.toml"


def library_file() -> Path:
    return data_dir() / "library.sqlite3"


def analysis_cache_dir() -> Path:
    return cache_dir() / "reports"


def default_demos_dirs() -> list[Path]:
    """Where the game saves replays, per OS (first existing one is used)."""
    user = Path.home()
    if sys.platform == "win32":
        docs = Path(os.environ.get("USERPROFILE", str(user))) / "Documents"
        return [docs / "My Games" / "Rocket League" / "TAGame" / "Demos"]
    if sys.platform == "darwin":
        return [user / "Library" / "Application Support" / "Rocket League" / "TAGame" / "Demos"]
    steam = user / ".local" / "share" / "Steam" / "steamapps" / "compatdata" / "252950" / "pfx"
    return [
        steam / "drive_c" / "users" / "steamuser" / "Documents" / "My Games"
        / "Rocket League" / "TAGame" / "Demos",
        user / ".local" / "share" / "Rocket League" / "TAGame" / "Demos",
    ]
