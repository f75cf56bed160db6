"""The header is the truth for who played: names in the frames that are engine ids
(bots seen as ``4294967274``) or an older name of the same account are replaced by
the header's scoreboard name, and the report says so. Built on real headers
(corpus, replays-wild), renamed where a case needs a name the files lack."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import WILD, corpus_files, wild_files

from rlcoach.replay import header as hdr
from rlcoach.replay.engine import load_players
from rlcoach.replay.types import ReplayData

# One human per team and a bot (SplitScreen id, no platform id) on orange.
BOTS = WILD / "carball-74517ba-BOTS_NO_POSITION.replay"


def _codes(data: ReplayData) -> dict[str, str]:
    return dict(data.warnings)


def _reattach(data: ReplayData, renames: dict[str, str]) -> ReplayData:
    """The same header, with the frames' names changed as an engine bug would."""
    for p in data.players:
        p.name = renames.get(p.name, p.name)
        p.scoreboard = None
    data.warnings.clear()
    hdr.attach_scoreboards(data)
    return data


@pytest.mark.parametrize("placeholder", ["4294967274", "-4294967274", "?", ""])
def test_a_bot_named_by_its_id_gets_the_header_name(placeholder: str) -> None:
    data = _reattach(load_players(BOTS), {"Centice": placeholder})
    bot = next(p for p in data.players if p.platform_id is None and p.team == 1)
    assert (bot.name, bot.is_bot, bot.key) == ("Centice", True, "name:Centice")
    assert bot.scoreboard is not None
    assert "player-renamed" in _codes(data)
    assert placeholder in _codes(data)["player-renamed"]
    assert "player-name-unresolved" not in _codes(data)


def test_placeholders_outnumbering_the_rows_stay_unpaired_and_are_named() -> None:
    data = load_players(BOTS)
    data.players.append(type(data.players[0])(name="4294967273", team=1, platform=None,
                                               platform_id=None))
    _reattach(data, {"Centice": "4294967274"})
    unnamed = [p for p in data.players if hdr.is_placeholder_name(p.name)]
    assert len(unnamed) == 2 and all(p.scoreboard is None for p in unnamed)
    assert "4294967274" in _codes(data)["player-name-unresolved"]
    assert len({p.key for p in data.players}) == len(data.players)


def test_a_renamed_account_takes_the_scoreboard_name() -> None:
    # boxcars 13c2: the frames say "Aaka", the scoreboard row with his Steam id "Aakorn".
    data = load_players(WILD / "boxcars-9e442bb-13c2.replay")
    assert "Aaka" not in {p.name for p in data.players}
    assert "Aakorn" in {p.name for p in data.players}
    assert "Aaka -> Aakorn" in _codes(data)["player-renamed"]


@pytest.mark.parametrize("name", ["Bandit", "Lt. Coffee Bot", "12345678", "2Fum2Tastic"])
def test_real_names_are_not_placeholders(name: str) -> None:
    assert not hdr.is_placeholder_name(name)


def test_every_corpus_and_wild_player_has_the_header_name_or_a_warning() -> None:
    """Invariant: a player matched to a scoreboard row carries that row's name; no name
    is an engine id unless the report says it is unresolved."""
    checked = 0
    for path in [*corpus_files(), *wild_files()]:
        data = load_players(path)
        rows = {str(r.get("Name")) for r in data.header.get("PlayerStats") or []}
        codes = _codes(data)
        for p in data.players:
            if p.scoreboard is not None:
                assert p.name in rows, (path.name, p.name)
                checked += 1
            if hdr.is_placeholder_name(p.name):
                assert "player-name-unresolved" in codes, (path.name, p.name)
    assert checked > 200


def test_header_only_load_refuses_what_the_full_load_refuses(tmp_path: Path) -> None:
    from rlcoach.errors import ReplayError

    bad = tmp_path / "x.replay"
    bad.write_bytes(b"not a replay at all" * 10)
    with pytest.raises(ReplayError):
        load_players(bad)
