"""Load benchmark of the coach proxy: the time-to-first-byte the server ADDS to a stream.

Run from server/:  .venv/bin/python benchmarks/coach_stream_load.py --streams 100

What it does:
- Starts the fake Anthropic API (tests/fake_anthropic.py) and the real app (``create_app``,
  uvicorn + uvloop + httptools, one worker) in two separate processes on loopback, so the load
  generator (this process, asyncio + httpx) does not share a GIL with either.
- Database: a throwaway PostgreSQL database created next to ``--database-url`` (default
  ``postgresql://postgres@127.0.0.1:5432/test``, migrated with the real migrations and dropped
  afterwards), or a temporary SQLite file when PostgreSQL is not reachable or ``--sqlite``.
- One user per stream, with a real access token, so the rate limit and allowance rows are
  per user as in production. Allowance and rate limit are set high: this measures latency,
  not refusals.
- Phase "direct": ``--streams`` concurrent workers each run ``--rounds`` streaming sessions
  straight against the fake; phase "proxy": the same through the server. Each session is a
  real streamed message (``--deltas`` text deltas ``--pace`` seconds apart), so at any moment
  about ``--streams`` streams are open. TTFB = request sent -> first body byte.
- Prints p50/p90/p99/max TTFB of both phases, the difference per percentile (what the server
  adds), the error count (non-200, or a stream that did not end with message_stop), and
  checks the ledger: one ``ok`` row per proxied session, nothing left reserved.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing as mp
import os
import ssl
import statistics
import time
from typing import Any

from coach_bench_setup import (
    MODEL,
    UPSTREAM_KEY,
    _check_ledger,
    _cpu_seconds,
    _free_port,
    _make_database,
    _make_tokens,
    _run_fake,
    _run_server,
    _wait_port,
)


async def _session(
    client: Any, url: str, headers: dict[str, str], body: dict[str, Any]
) -> tuple[float | None, bool]:
    """(TTFB seconds or None, ok) of one streamed message."""
    t0 = time.perf_counter()
    ttfb = None
    tail = b""
    try:
        async with client.stream("POST", url, json=body, headers=headers) as resp:
            async for chunk in resp.aiter_bytes():
                if ttfb is None:
                    ttfb = time.perf_counter() - t0
                tail = (tail + chunk)[-200:]
            ok = resp.status_code == 200 and b"message_stop" in tail
    except Exception:  # noqa: BLE001 - counted as an error
        ok = False
    return ttfb, ok


async def _phase(
    url: str, tokens: list[str], args: argparse.Namespace, direct: bool
) -> tuple[list[float], int]:
    import httpx

    text = f"bench [fake:pace={args.pace}][fake:words={args.deltas}]"
    body = {
        "model": MODEL,
        "max_tokens": args.deltas,
        "stream": True,
        "messages": [{"role": "user", "content": text}],
    }
    ttfbs: list[float] = []
    trace: list[tuple[float, float, int]] = []
    phase_start = time.perf_counter()
    errors = 0
    # One client (one keep-alive connection) per worker, like one user's CLI: a shared client
    # would spend the load generator's CPU in httpcore's pool bookkeeping. Built before the
    # clock starts, with one SSL context (httpx builds one per client otherwise: ~10 ms each).
    tls = ssl.create_default_context()
    clients = [httpx.AsyncClient(timeout=60, verify=tls) for _ in range(args.streams)]

    async def worker(i: int) -> None:
        nonlocal errors
        headers = (
            {"x-api-key": UPSTREAM_KEY, "anthropic-version": "2023-06-01"}
            if direct
            else {"x-api-key": tokens[i]}
        )
        # Spread the starts over one session length so arrivals are steady, not a wall.
        await asyncio.sleep(i * args.deltas * args.pace / args.streams)
        for _ in range(args.rounds):
            started = time.perf_counter() - phase_start
            ttfb, ok = await _session(clients[i], url, headers, body)
            if ttfb is not None and args.trace:
                trace.append((ttfb, started, i))
            if ttfb is not None and ok:
                ttfbs.append(ttfb)
            else:
                errors += 1

    # The load generator must not measure itself: no garbage collection during a phase (a
    # gen-2 pause here once showed up as a 95 ms "TTFB"), and its loop's stalls are counted.
    stalls: list[float] = []

    async def watch_loop() -> None:
        while True:
            t = time.perf_counter()
            await asyncio.sleep(0.005)
            if (late := time.perf_counter() - t - 0.005) > 0.015:
                stalls.append(late)

    gc.collect()
    gc.disable()
    watcher = asyncio.ensure_future(watch_loop())
    try:
        await asyncio.gather(*(worker(i) for i in range(args.streams)))
    finally:
        watcher.cancel()
        gc.enable()
        for client in clients:
            await client.aclose()
    if stalls:
        print(
            f"  load generator stalled {len(stalls)}x (> 15 ms, max "
            f"{max(stalls) * 1000:.0f} ms): TTFBs around then are inflated"
        )
    if trace:
        print(
            "slowest (ttfb ms, start s, worker):",
            [(round(t * 1000, 1), round(st, 2), w) for t, st, w in sorted(trace)[-8:]],
        )
    return ttfbs, errors


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--streams", type=int, default=100, help="concurrent streams")
    ap.add_argument("--rounds", type=int, default=3, help="sessions per stream worker")
    ap.add_argument("--deltas", type=int, default=100, help="text deltas per message")
    ap.add_argument("--pace", type=float, default=0.05, help="seconds between deltas")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--target-p99-ms", type=float, default=30.0, help="reported as met/missed")
    ap.add_argument("--trace", action="store_true", help="print the slowest sessions per phase")
    ap.add_argument(
        "--gc-report", action="store_true", help="the server prints collections over 5 ms"
    )
    ap.add_argument(
        "--database-url",
        default=os.environ.get(
            "RLCOACH_SERVER_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
    )
    ap.add_argument("--sqlite", action="store_true", help="use a temporary SQLite file")
    args = ap.parse_args()

    if args.gc_report:
        os.environ["COACH_BENCH_GC_REPORT"] = "1"  # inherited by the spawned server
    db_url, drop = _make_database(args)
    fake_port, server_port = _free_port(), _free_port()
    fake_url = f"http://127.0.0.1:{fake_port}"
    ctx = mp.get_context("spawn")
    procs = [
        ctx.Process(target=_run_fake, args=(fake_port,), daemon=True),
        ctx.Process(target=_run_server, args=(server_port, db_url, fake_url, args.workers)),
    ]
    try:
        tokens = _make_tokens(db_url, args.streams)
        for p in procs:
            p.start()
        _wait_port(fake_port)
        _wait_port(server_port)
        # Warm up both paths (connection pools, imports, first DB connections).
        asyncio.run(
            _phase(
                f"{fake_url}/v1/messages",
                tokens,
                argparse.Namespace(**{**vars(args), "rounds": 1, "pace": 0}),
                True,
            )
        )
        asyncio.run(
            _phase(
                f"http://127.0.0.1:{server_port}/coach/v1/messages",
                tokens,
                argparse.Namespace(**{**vars(args), "rounds": 1, "pace": 0}),
                False,
            )
        )
        warm = args.streams
        fake_cpu0 = _cpu_seconds(procs[0].pid)
        direct, e1 = asyncio.run(_phase(f"{fake_url}/v1/messages", tokens, args, True))
        fake_cpu = _cpu_seconds(procs[0].pid) - fake_cpu0
        server_cpu0 = _cpu_seconds(procs[1].pid)
        proxy, e2 = asyncio.run(
            _phase(f"http://127.0.0.1:{server_port}/coach/v1/messages", tokens, args, False)
        )
        server_cpu = _cpu_seconds(procs[1].pid) - server_cpu0
        time.sleep(0.5)  # let the last settlements commit
        backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
        print(
            f"\n{args.streams} concurrent streams x {args.rounds} rounds, {args.deltas} deltas "
            f"{args.pace * 1000:.0f} ms apart, database {backend}, {args.workers} server "
            f"worker(s), {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
        )
        print(f"{'':10}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}  (ms TTFB)   n   errors")
        rows = (("direct", direct, e1), ("proxy", proxy, e2))
        for name, values, errs in rows:
            cells = "".join(f"{_pct(values, p) * 1000:9.2f}" for p in (50, 90, 99, 100))
            print(f"{name:10}{cells}  {len(values):12d} {errs:6d}")
        added = {p: (_pct(proxy, p) - _pct(direct, p)) * 1000 for p in (50, 90, 99, 100)}
        print(f"{'added':10}" + "".join(f"{added[p]:9.2f}" for p in (50, 90, 99, 100)))
        print(
            f"mean added {1000 * (statistics.mean(proxy) - statistics.mean(direct)):.2f} ms; "
            f"errors {e1 + e2}; target p99 added < {args.target_p99_ms:g} ms: "
            + ("met" if added[99] < args.target_p99_ms and not e1 + e2 else "MISSED")
        )
        sessions = args.streams * args.rounds
        print(
            f"CPU per session: server {1000 * server_cpu / sessions:.2f} ms, "
            f"fake upstream {1000 * fake_cpu / sessions:.2f} ms "
            "(other load on this machine inflates TTFB, not these)"
        )
        ledger_ok, report = _check_ledger(db_url, args.streams * args.rounds + warm)
        print(report)
        return 0 if (e1 + e2) == 0 and ledger_ok else 1
    finally:
        for p in procs:
            p.terminate()
            p.join(5)
        drop()


if __name__ == "__main__":
    raise SystemExit(main())
