"""Configuration errors name the problem; layer boundaries hold."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rlcoach.config import Identity, load_config, parse_config
from rlcoach.errors import ConfigError

SRC = Path(__file__).resolve().parents[1] / "src" / "rlcoach"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[identity\nnames = 1", "line 1"),
        ("[identty]\n", "unknown section [identty]"),
        ("[identity]\nnamez = []\n", "unknown key 'namez'"),
        ("[identity]\nplatform_ids = ['76561198']\n", "not 'platform:id'"),
        ("[analysis]\njobs = 'two'\n", "jobs must be int"),
        ("[analysis]\njobs = 0\n", "at least 1"),
    ],
)
def test_bad_config_is_explained(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "rlcoach.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r".*") as err:
        load_config(path)
    assert needle in err.value.message


def test_missing_config_means_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path / "absent.toml").identity.is_empty


@pytest.mark.parametrize(
    ("platform", "pid", "name", "expected"),
    [("steam", "765", "x", True), ("epic", "765", "x", False), (None, None, " Me ", True),
     ("ps4", "Someone", "Someone", False)],
)
def test_identity_matching(platform, pid, name, expected) -> None:
    ident = parse_config({"identity": {"platform_ids": ["steam:765"], "names": ["me"]}}).identity
    assert isinstance(ident, Identity)
    assert ident.matches(platform, pid, name) is expected


def test_only_the_replay_package_imports_the_engine() -> None:
    offenders = [
        str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
        if "subtr_actor" in p.read_text(encoding="utf-8") and p.parent.name != "replay"
    ]
    assert offenders == []


def test_import_contracts() -> None:
    exe = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(exe)], capture_output=True, text=True,
                          cwd=SRC.parents[1], timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_help_imports_nothing_heavy() -> None:
    code = ("import sys, rlcoach.cli; heavy = {'numpy', 'subtr_actor', 'sqlalchemy', 'textual',"
            " 'jsonschema'} & set(sys.modules); print(sorted(heavy))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.stdout.strip() == "[]", proc.stdout + proc.stderr
