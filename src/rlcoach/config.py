"""rlcoach.toml: who the user is and how rlcoach runs.

The file is optional. It is validated strictly: an unknown section or key is
an error naming it (a typo silently ignored is a setting silently lost), and
TOML syntax errors name the line. See ``rlcoach.toml.example``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlcoach import paths
from rlcoach.errors import ConfigError

PLATFORMS = ("steam", "epic", "ps4", "xbox", "switch")


@dataclass(frozen=True)
class Identity:
    """The user's accounts. A player is "me" if any id or name matches."""

    platform_ids: tuple[str, ...] = ()  # "steam:7656...", "epic:14d2..."
    names: tuple[str, ...] = ()

    def matches(self, platform: str | None, player_id: str | None, name: str | None) -> bool:
        if platform and player_id and f"{platform}:{player_id}".lower() in {
            i.lower() for i in self.platform_ids
        }:
            return True
        if player_id and player_id.lower() in {i.lower() for i in self.platform_ids}:
            return True
        return name is not None and name.strip().lower() in {n.strip().lower() for n in self.names}

    @property
    def is_empty(self) -> bool:
        return not self.platform_ids and not self.names


@dataclass(frozen=True)
class AnalysisSettings:
    jobs: int | None = None  # None: one per core
    timeout_seconds: float = 120.0
    memory_limit_mb: int = 3072


@dataclass(frozen=True)
class LibrarySettings:
    demos_dirs: tuple[Path, ...] = ()
    session_gap_minutes: float = 30.0


@dataclass(frozen=True)
class ServerSettings:
    url: str = "https://rlcoach.gg"


@dataclass(frozen=True)
class DashboardSettings:
    # The rank tier the dashboard compares with (ballchasing's names: "Diamond",
    # "Champion", ...); None until the player picks one (never guessed for them).
    target_rank: str | None = None


@dataclass(frozen=True)
class Config:
    identity: Identity = field(default_factory=Identity)
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    library: LibrarySettings = field(default_factory=LibrarySettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    dashboard: DashboardSettings = field(default_factory=DashboardSettings)
    source: Path | None = None


_SCHEMA: dict[str, dict[str, tuple[type, ...]]] = {
    "identity": {"platform_ids": (list,), "names": (list,)},
    "analysis": {"jobs": (int,), "timeout_seconds": (int, float), "memory_limit_mb": (int,)},
    "library": {"demos_dirs": (list,), "session_gap_minutes": (int, float)},
    "server": {"url": (str,)},
    "dashboard": {"target_rank": (str,)},
}


def load_config(path: Path | None = None) -> Config:
    """Read and validate rlcoach.toml; a missing file means defaults."""
    path = path or paths.config_file()
    if not path.exists():
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: invalid TOML: {exc}", hint="Fix the line named above."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return parse_config(raw, source=path)


def parse_config(raw: dict[str, Any], source: Path | None = None) -> Config:
    where = f"{source}: " if source else ""
    for section, values in raw.items():
        if section not in _SCHEMA:
            raise ConfigError(
                f"{where}unknown section [{section}]",
                hint=f"Known sections: {', '.join(_SCHEMA)}.",
            )
        if not isinstance(values, dict):
            raise ConfigError(f"{where}[{section}] must be a table")
        for key, value in values.items():
            allowed = _SCHEMA[section]
            if key not in allowed:
                raise ConfigError(
                    f"{where}unknown key '{key}' in [{section}]",
                    hint=f"Known keys in [{section}]: {', '.join(allowed)}.",
                )
            if isinstance(value, bool) or not isinstance(value, allowed[key]):
                raise ConfigError(
                    f"{where}[{section}] {key} must be {allowed[key][0].__name__}, "
                    f"not {type(value).__name__}"
                )
    ident = raw.get("identity", {})
    ids = tuple(_strings(ident.get("platform_ids", []), f"{where}[identity] platform_ids"))
    for pid in ids:
        platform, _, rest = pid.partition(":")
        if not rest or platform.lower() not in PLATFORMS:
            raise ConfigError(
                f"{where}[identity] platform_ids: '{pid}' is not 'platform:id'",
                hint=f"Use one of {', '.join(PLATFORMS)}, e.g. 'steam:76561198000000000'.",
            )
    names = tuple(_strings(ident.get("names", []), f"{where}[identity] names"))
    ana = raw.get("analysis", {})
    jobs = ana.get("jobs")
    if jobs is not None and jobs < 1:
        raise ConfigError(f"{where}[analysis] jobs must be at least 1")
    lib = raw.get("library", {})
    demos = tuple(
        Path(p).expanduser() for p in _strings(lib.get("demos_dirs", []), "[library] demos_dirs")
    )
    return Config(
        identity=Identity(platform_ids=ids, names=names),
        analysis=AnalysisSettings(
            jobs=jobs,
            timeout_seconds=float(ana.get("timeout_seconds", 120.0)),
            memory_limit_mb=int(ana.get("memory_limit_mb", 3072)),
        ),
        library=LibrarySettings(
            demos_dirs=demos, session_gap_minutes=float(lib.get("session_gap_minutes", 30.0))
        ),
        server=ServerSettings(url=str(raw.get("server", {}).get("url", ServerSettings.url))),
        dashboard=DashboardSettings(target_rank=raw.get("dashboard", {}).get("target_rank")),
        source=source,
    )


def _strings(values: list[Any], what: str) -> list[str]:
    if not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{what} must be a list of strings")
    return list(values)
