"""Per-worker admission to the database pool, so waiting happens on the event loop.

Design (issue 13, item 1): FastAPI runs sync dependencies and endpoints in a thread pool of
40, in separate hops. A request that took a pooled connection in one hop and then waited for
a thread for the next could hold it while every thread sat blocked on an empty pool: a
deadlock broken only by the pool's 30 s timeout. Two rules make that impossible:

- ``DbGate``: a request must own one of ``db_pool_size`` slots before its first database
  use, and releases it after its session is closed. The pool has exactly that many
  connections and never overflows, so a checkout inside a thread never blocks; requests
  that cannot get a slot wait on the event loop (costing nothing) for at most
  ``db_slot_wait_seconds``, then get 429 with ``Retry-After`` (the worker is alive and
  answers; the caller should back off).
- ``TokenGate``: one bearer token may have ``requests_in_flight_per_token`` requests in
  flight per worker; more answer 429 at once without touching the database, so one
  account cannot fill the slot queue and starve everybody else.

Semaphores are per event loop (a worker has one; tests may run several TestClients, each
with its own loop, against one app).
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import weakref


class Busy(Exception):
    """No slot freed up in time."""


class DbGate:
    def __init__(self, slots: int, wait_seconds: float) -> None:
        self.slots = slots
        self.wait_seconds = wait_seconds
        self._lock = threading.Lock()
        self._per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._per_loop = weakref.WeakKeyDictionary()

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        with self._lock:
            sem = self._per_loop.get(loop)
            if sem is None:
                sem = self._per_loop[loop] = asyncio.Semaphore(self.slots)
            return sem

    async def acquire(self) -> asyncio.Semaphore:
        sem = self._semaphore()
        try:
            await asyncio.wait_for(sem.acquire(), self.wait_seconds)
        except TimeoutError:
            raise Busy from None
        return sem


class TokenGate:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._in_flight: dict[str, int] = {}

    @staticmethod
    def key(token: str) -> str:
        # Only a digest is kept in memory, like in the database.
        return hashlib.sha256(token.encode("utf-8")).hexdigest()

    def enter(self, key: str) -> bool:
        with self._lock:
            n = self._in_flight.get(key, 0)
            if n >= self.limit:
                return False
            self._in_flight[key] = n + 1
            return True

    def leave(self, key: str) -> None:
        with self._lock:
            n = self._in_flight.get(key, 0) - 1
            if n > 0:
                self._in_flight[key] = n
            else:
                self._in_flight.pop(key, None)
