"""/healthz answers from the database, and the app factory wiring."""

from __future__ import annotations

from fastapi.testclient import TestClient

from conftest import PUBLIC_URL


def test_healthz_ok(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_unreachable_database(make_app, tmp_path) -> None:
    # A database URL that cannot be opened: a SQLite file inside a missing directory.
    app = make_app(database_url=f"sqlite:///{tmp_path}/missing/dir/x.db")
    with TestClient(app, base_url=PUBLIC_URL) as c:
        r = c.get("/healthz")
    assert r.status_code == 503
    assert r.json()["database"] == "unreachable"
    assert "sqlite" not in r.text
