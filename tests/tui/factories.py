"""Deterministic, schema-valid report v1 documents for the dashboard tests.

Every report is one of the committed ``goldens/`` (a real analysed replay
per playlist: doubles, standard, duel) with its players renamed to a fixed
cast, a fresh match id and date, the user seated on the winning or losing
side as asked, and its float stats jittered by up to 15% so trends move.
Each report is checked against the shipped schema when it is made, so the
dashboard is tested on exactly the shape ``rlcoach analyze`` writes (by parts,
each distinct part once: ``schema_check``).
Everything derives from ``i`` and fixed dates: no clock, no global random.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from rlcoach.library.db import Library
from rlcoach.library.store import FileInfo, add_report
from rlcoach.report.registry import BY_QUALIFIED
from rlcoach.report.schema import shipped_schema, validate_report

NOW = datetime(2026, 3, 12, 21, 0, 0)
GOLDENS = Path(__file__).resolve().parents[2] / "goldens"

ME = ("steam", "76561198000000001", "Quantavious")
MATES = [("epic", "mate0001", "Kaiju"), ("epic", "mate0002", "Bluejay")]
OPPONENTS = [("xbox", f"opp{i:05d}", name) for i, name in enumerate(
    ("Torque", "Nimbus", "Zephyr", "Gravel", "Pixel", "Sprocket", "Mako", "Vortex"))]
# (playlist, name, team size, golden it is built from)
PLAYLISTS = [
    ("ranked-doubles", "Ranked Doubles", 2, "recent-ranked-doubles-2026-03-10"),
    ("ranked-standard", "Ranked Standard", 3, "recent-ranked-standard-2026-03-10-a"),
    ("ranked-duel", "Ranked Duel", 1, "post-eac-ranked-duel-2026-04-28-a"),
]


@cache
def golden(name: str) -> str:
    return (GOLDENS / f"{name}.json").read_text()


def _seat(report: dict[str, Any], i: int, win: bool, with_me: bool) -> None:
    """Rename the golden's players: the user (or a stranger) and mates on one side."""
    winner = report["replay"]["winner"]
    mine = winner if win else ("orange" if winner == "blue" else "blue")
    me = ME if with_me else ("epic", f"stranger{i}", f"Stranger{i}")
    cast = {"mine": [me, *MATES], "theirs": [OPPONENTS[(i + k) % len(OPPONENTS)]
                                             for k in range(len(OPPONENTS))]}
    renames: dict[str, str] = {}
    for p in report["players"]:
        platform, pid, name = cast["mine" if p["team"] == mine else "theirs"].pop(0)
        renames[p["key"]] = f"{platform}:{pid}"
        p.update(key=f"{platform}:{pid}", name=name, platform=platform, id=pid)
    # Every other mention of a player is by key: rename them all at once.
    text = json.dumps({k: v for k, v in report.items() if k != "players"})
    for old, new in renames.items():
        text = text.replace(json.dumps(old), json.dumps(new))
    report.update(json.loads(text))


def _jitter(report: dict[str, Any], rng: random.Random) -> None:
    for p in report["players"]:
        for group, values in p["stats"].items():
            for key, value in values.items():
                if isinstance(value, float):
                    scaled = round(value * rng.uniform(0.85, 1.15), 3)
                    metric = BY_QUALIFIED.get(f"{group}.{key}")
                    if metric is not None and metric.unit == "%":
                        scaled = min(scaled, 100.0)
                    values[key] = scaled


def make_report(i: int, *, date: datetime, playlist: int = 0, win: bool = True,
                with_me: bool = True, with_heatmap: bool = False) -> dict[str, Any]:
    """Game ``i``: a golden of ``PLAYLISTS[playlist]``, re-cast and re-dated (a fresh
    copy: callers may change it)."""
    return json.loads(_made(i, date, playlist, win, with_me, with_heatmap))


@cache
def _made(i: int, date: datetime, playlist: int, win: bool, with_me: bool,
          with_heatmap: bool) -> str:
    """The report as JSON text, built and schema-checked once per session: the same
    arguments give the same report, and checking it was 90% of filling a library
    (about 0.3 s a report, for the 30-40 games most coach and dashboard tests store)."""
    rng = random.Random(i)
    key, name, _size, source = PLAYLISTS[playlist]
    report: dict[str, Any] = json.loads(golden(source))
    _seat(report, i, win, with_me)
    _jitter(report, rng)
    if not with_heatmap:  # the analysis could not track anyone: an all-zero grid
        for p in report["players"]:
            p["heatmap"]["cells"] = [[0.0] * len(row) for row in p["heatmap"]["cells"]]
    guid = uuid.uuid5(uuid.NAMESPACE_URL, f"rlcoach-tui/{i}").hex.upper()
    replay = report["replay"]
    replay.update(file_name=f"{i}.replay", sha256=uuid.uuid5(uuid.NAMESPACE_URL, guid).hex * 2,
                  replay_id=guid[:32], match_guid=guid, date=date.isoformat(),
                  title=f"{date:%Y-%m-%d.%H.%M} {name}", playlist=key, playlist_name=name)
    schema_check(report)
    return json.dumps(report)


_VALID: dict[tuple[int, bytes], bool] = {}  # (schema node, instance digest) -> valid
_VALIDATORS: dict[tuple[str, int], Any] = {}  # ("node" | "shell", node)
_SPLIT_AT = 4096  # characters of JSON: below, a part is checked whole


def schema_check(report: dict[str, Any]) -> None:
    """``validate_report``, but each distinct part of a report checked once a session.

    Reports made from one golden differ in player names and jittered stats; the
    events, coaching and timeline (90% of checking, ~0.1 s a report) mostly
    repeat. A node's ``properties`` and ``items`` are checked part by part, the
    node's other keywords with those parts allowed: the same verdict, since the
    schema has no ``$ref`` or ``unevaluated*`` tying parts together (asserted).
    A failure is reported by ``validate_report`` itself, with its message.
    """
    if not _valid(shipped_schema(), report):
        validate_report(report)
        raise AssertionError("schema_check and validate_report disagree")


def _valid(node: Any, instance: Any) -> bool:
    text = json.dumps(instance, sort_keys=True)
    key = (id(node), hashlib.sha1(text.encode()).digest())
    if key not in _VALID:
        _VALID[key] = _check(node, instance, len(text) > _SPLIT_AT)
    return _VALID[key]


def _check(node: Any, instance: Any, split: bool) -> bool:
    if not isinstance(node, dict):
        return _validator(node).is_valid(instance)
    if split and isinstance(instance, dict) and "properties" in node:
        parts = node["properties"]
        shell = {**node, "properties": dict.fromkeys(parts, True)}
        return _validator(shell, node).is_valid(instance) and all(
            _valid(parts[k], v) for k, v in instance.items() if k in parts)
    if split and isinstance(instance, list) and isinstance(node.get("items"), dict) \
            and "prefixItems" not in node:
        shell = {**node, "items": True}
        return _validator(shell, node).is_valid(instance) and all(
            _valid(node["items"], v) for v in instance)
    return _validator(node).is_valid(instance)


def _validator(schema: Any, shell_of: Any = None) -> Any:
    """A validator for a node of the shipped schema (cached, like the schema), or for
    the shell standing in for ``shell_of``."""
    from jsonschema import Draft202012Validator

    key = ("node", id(schema)) if shell_of is None else ("shell", id(shell_of))
    if key not in _VALIDATORS:
        text = json.dumps(schema)
        assert "$ref" not in text and "unevaluated" not in text, "parts are not independent"
        _VALIDATORS[key] = Draft202012Validator(schema)
    return _VALIDATORS[key]


def fill(library: Library, n: int, *, end: datetime = NOW - timedelta(minutes=20),
         heatmap_every: int = 1) -> list[int]:
    """Store ``n`` games through the library's own store, newest ending at ``end``.

    Games come in sessions of six, eight minutes apart, a day apart; the
    newest session is "current" at ``NOW``. Results follow a fixed pattern.
    """
    ids = []
    for i in range(n):
        back = n - 1 - i  # 0 for the newest game
        date = end - timedelta(days=back // 6, minutes=8 * (back % 6))
        report = make_report(i, date=date, playlist=(i // 7) % 3 if i % 5 else 0,
                             win=(i * 7) % 11 < 6, with_heatmap=i % heatmap_every == 0)
        info = FileInfo(path=str(Path("/replays") / f"{i}.replay"), size=1000, mtime=0.0,
                        sha256=report["replay"]["sha256"])
        ids.append(add_report(library, report, info)[1])
    return ids


_TEMPLATES: dict[tuple[int, datetime, int], Path] = {}


def filled_library(n: int, path: Path | None = None, *, end: datetime = NOW - timedelta(minutes=20),
                   heatmap_every: int = 1) -> Library:
    """A library at ``path`` (default: RLCOACH_HOME's) holding ``fill(n, ...)``'s games.

    Filled once per session into a template file, then copied: storing 30-40
    games took about 1.5 s per test, and most coach tests want the same games.
    Each test gets its own copy, so writes stay its own.
    """
    import atexit
    import shutil
    import tempfile

    from rlcoach import paths
    from rlcoach.library.db import open_library

    key = (n, end, heatmap_every)
    if key not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="rlcoach-template-"))
        atexit.register(shutil.rmtree, folder, True)
        template = folder / "library.sqlite3"
        with open_library(template) as lib:
            fill(lib, n, end=end, heatmap_every=heatmap_every)
            with lib.engine.connect() as conn:  # everything into the main file
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        _TEMPLATES[key] = template
    target = Path(path) if path is not None else paths.library_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_TEMPLATES[key], target)
    return open_library(target)
