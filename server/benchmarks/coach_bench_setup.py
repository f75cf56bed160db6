"""Process and database setup for the coach load benchmark (coach_stream_load.py).

Starts the fake Anthropic API and the real server on loopback, makes a throwaway
database with real users and tokens, and checks the ledger afterwards. Kept apart
from the load generator so each file reads as one thing.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # fake_anthropic
sys.path.insert(0, str(HERE.parent / "src"))

MODEL = "claude-sonnet-4-6"
UPSTREAM_KEY = "sk-ant-bench-upstream"
# Same HTTP stack for the fake upstream and the server, so the comparison is fair.
UVICORN_OPTS: dict[str, Any] = {
    "host": "127.0.0.1", "log_level": "warning", "access_log": False,
    "loop": "uvloop", "http": "httptools", "backlog": 4096,
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_fake(port: int) -> None:
    import uvicorn

    from fake_anthropic import FakeAnthropic

    app = FakeAnthropic(api_key=UPSTREAM_KEY).app()
    uvicorn.run(
        app,
        port=port,
        **UVICORN_OPTS,
    )


def _settings_env(db_url: str, fake_url: str) -> dict[str, str]:
    """The server's settings as RLCOACH_SERVER_* variables (uvicorn workers build the app
    from the environment, through ``create_app_from_env``)."""
    return {
        "RLCOACH_SERVER_DEV_MODE": "true",
        "RLCOACH_SERVER_DATABASE_URL": db_url,
        "RLCOACH_SERVER_ANTHROPIC_API_KEY": UPSTREAM_KEY,
        "RLCOACH_SERVER_ANTHROPIC_BASE_URL": fake_url,
        "RLCOACH_SERVER_COACH_RATE_LIMIT_REQUESTS": "100000",
        "RLCOACH_SERVER_COACH_ALLOWANCES": '{"free": 1000000000000, "pro": 1000000000000}',
        "RLCOACH_SERVER_LOG_LEVEL": "WARNING",
    }


def _run_server(port: int, db_url: str, fake_url: str, workers: int) -> None:
    import uvicorn

    os.environ.update(_settings_env(db_url, fake_url))
    if os.environ.get("COACH_BENCH_GC_REPORT"):  # --gc-report
        import gc

        marks: dict[str, float] = {}

        def _gc_timer(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                marks["t"] = time.perf_counter()
            elif (took := time.perf_counter() - marks.get("t", 0)) > 0.005:
                print(f"[server] gc gen{info['generation']} took {took * 1000:.1f} ms", flush=True)

        gc.callbacks.append(_gc_timer)
    uvicorn.run(
        "rlcoach_server.main:create_app_from_env",
        factory=True,
        workers=workers,
        port=port,
        **UVICORN_OPTS,
    )


def _wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port}")


def _make_database(args: argparse.Namespace) -> tuple[str, Any]:
    """(url, cleanup) of a migrated throwaway database."""
    from sqlalchemy import text

    from rlcoach_server.db import make_engine, normalize_url
    from rlcoach_server.migrate import upgrade

    if not args.sqlite:
        admin_url = normalize_url(args.database_url)
        admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
        name = f"rlcoach_bench_{secrets.token_hex(4)}"
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = admin_url.rsplit("/", 1)[0] + "/" + name
            upgrade(url)

            def drop() -> None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()

            return url, drop
        except Exception as exc:  # noqa: BLE001 - fall back to SQLite
            print(f"PostgreSQL not usable ({type(exc).__name__}); using SQLite")
    tmp = tempfile.mkdtemp(prefix="rlcoach-bench-")
    url = f"sqlite:///{tmp}/bench.db"
    upgrade(url)
    return url, lambda: None


def _make_tokens(db_url: str, n: int) -> list[str]:
    from sqlalchemy.orm import Session

    from rlcoach_server.config import Settings
    from rlcoach_server.db import make_engine
    from rlcoach_server.models import User
    from rlcoach_server.services.tokens import issue_tokens

    settings = Settings(dev_mode=True, database_url=db_url)
    engine = make_engine(db_url)
    tokens = []
    with Session(engine) as s:
        for i in range(n):
            user = User(email=f"bench{i}@example.com", name=f"bench {i}")
            s.add(user)
            s.flush()
            tokens.append(issue_tokens(s, settings, user.id, "rlcoach-cli").access_token)
        s.commit()
    engine.dispose()
    return tokens


def _cpu_seconds(root: int | None) -> float:
    """User + system CPU time of a process and its descendants (Linux /proc)."""
    if root is None:
        return 0.0
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            stats[int(entry.name)] = (int(fields[1]), cpu)
    tree, total, grew = {root}, 0.0, True
    while grew:
        grew = False
        for pid, (ppid, _) in stats.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    for pid in tree:
        total += stats.get(pid, (0, 0.0))[1]
    return total


def _check_ledger(db_url: str, expected: int) -> tuple[bool, str]:
    """Every proxied session has a settled ledger row, nothing stays reserved, and the ledger
    sums to the allowances' used units."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from rlcoach_server.db import make_engine
    from rlcoach_server.models import CoachAllowance, CoachLedger

    engine = make_engine(db_url)
    with Session(engine) as s:
        statuses = dict(
            s.execute(select(CoachLedger.status, func.count()).group_by(CoachLedger.status)).all()
        )
        reserved = s.execute(select(func.sum(CoachAllowance.reserved_units))).scalar_one()
        used = s.execute(select(func.sum(CoachAllowance.used_units))).scalar_one()
        cost = s.execute(select(func.sum(CoachLedger.cost_units))).scalar_one()
        failed = s.execute(
            select(CoachLedger.status, CoachLedger.error).where(CoachLedger.status != "ok").limit(5)
        ).all()
    engine.dispose()
    ok = sum(statuses.values()) == expected and not reserved and used == cost
    text = f"ledger {statuses}, reserved left {reserved}, used {used} == ledger sum {cost}: " + (
        "OK" if ok else "MISMATCH"
    )
    for status, error in failed:
        text += f"\n  {status}: {error}"
    return ok, text
