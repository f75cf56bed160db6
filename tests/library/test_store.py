"""Storing reports: one game per match, files bookkeeping, compressed reports."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from rlcoach.library.queries import game_report
from rlcoach.library.schema import files, games, metric_values, players
from rlcoach.library.store import (
    FileInfo,
    add_report,
    by_hash,
    known_files,
    match_key,
    played_at,
    record_failure,
)
from rlcoach.report.registry import METRICS

from .factories import make_report


def _count(lib, table) -> int:
    with lib.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_one_match_from_two_teammates_files_is_one_game(library) -> None:
    mine = make_report(match_guid="MATCH-1", seed=1)
    theirs = make_report(match_guid="MATCH-1", seed=2)  # other recorder, other replay_id
    assert mine["replay"]["replay_id"] != theirs["replay"]["replay_id"]
    assert add_report(library, mine, FileInfo("/me.replay", 1, 1.0, "a"))[0] == "ok"
    status, game_id = add_report(library, theirs, FileInfo("/mate.replay", 1, 1.0, "b"))
    assert status == "duplicate"
    assert _count(library, games) == 1 and _count(library, players) == 4
    known = known_files(library)
    assert known["/mate.replay"].status == "duplicate"
    assert known["/mate.replay"].game_id == known["/me.replay"].game_id == game_id


def test_every_registry_metric_is_stored_per_player(library) -> None:
    report = make_report()
    report["players"][0]["stats"]["boost"]["bpm"] = None  # not computable: no row
    add_report(library, report, FileInfo("/x.replay", 1, 1.0, "x"))
    assert _count(library, metric_values) == 4 * len(METRICS) - 1
    with library.connect() as conn:
        mvp = conn.execute(
            select(metric_values.c.value).where(
                metric_values.c.metric_id == library.metric_ids()["core.mvp"])
        ).scalars().all()
    assert mvp == [0.0] * 4


def test_report_round_trips_compressed(library) -> None:
    report = make_report()
    _, game_id = add_report(library, report, FileInfo("/x.replay", 1, 1.0, "x"))
    assert game_report(library, game_id) == report


def test_match_key_falls_back_to_replay_id_then_sha() -> None:
    report = make_report(match_guid=None)
    assert match_key(report, "ff").startswith("id:")
    report["replay"]["replay_id"] = None
    report["replay"]["sha256"] = None
    assert match_key(report, "ff") == "sha:FF"


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026-03-10T18:55:49", "2026-03-10T18:55:49"),
    ("2017-03-22 17-22-50", "2017-03-22T17:22:50"),
    ("2016-08-07:11-27", "2016-08-07T11:27:00"),
    (None, datetime.fromtimestamp(10.0).isoformat()),  # no header date: file mtime
])
def test_played_at_from_header_date(raw, expected) -> None:
    report = make_report()
    report["replay"]["date"] = raw
    assert played_at(report, FileInfo("/x", 1, 10.0)) == expected


def test_failures_are_recorded_and_hash_index_prefers_ok(library) -> None:
    record_failure(library, FileInfo("/bad.replay", 5, 1.0, "s1"), "corrupt", "bad header")
    add_report(library, make_report(), FileInfo("/good.replay", 5, 1.0, "s2"))
    with library.connect() as conn:
        row = conn.execute(select(files).where(files.c.path == "/bad.replay")).mappings().one()
    assert (row["status"], row["error_kind"], row["error"]) == ("failed", "corrupt", "bad header")
    hashes = by_hash(known_files(library))
    assert hashes["s1"].status == "failed" and hashes["s2"].status == "ok"
