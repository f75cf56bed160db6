"""Per-user rate limit of the coach endpoints, shared by every worker.

Design:
- Fixed windows (``coach_rate_limit_window_seconds`` long) counted with one atomic
  increment per request, so it holds across uvicorn workers and machines:
  * database (default; works on SQLite dev mode and PostgreSQL):
    ``INSERT ... ON CONFLICT (user_id, window_start) DO UPDATE SET count = count + 1
    RETURNING count`` in the caller's transaction (the same commit as the reservation, so no
    extra round trip);
  * Redis, when ``coach_redis_url`` is set: ``INCR`` + ``EXPIRE`` in one pipeline (with the
    asyncio client when called from the event loop).
- A fixed window lets a burst of up to 2x the limit straddle a boundary; for a cost guard
  (the allowance is the real budget) that is an acceptable trade for one write per request.
- Redis unreachable (or failing) raises ``LimiterUnavailable``: the coach answers 503 in
  Anthropic's error shape rather than letting calls through uncounted or failing with a 500.
- Old database windows are pruned now and then by the request that opens a new window, so
  the table holds about one row per active user.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, delete
from sqlalchemy.orm import Session

from ..config import Settings
from ..models import CoachRateWindow
from .metering import upsert_insert

WINDOWS = cast(Table, CoachRateWindow.__table__)


def redis_reachable(url: str) -> bool:
    """Whether the Redis at ``url`` answers a PING within a second (for ``/healthz``)."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


class LimiterUnavailable(Exception):
    """The rate limiter's Redis did not answer."""


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int  # seconds until the current window ends


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.limit = settings.coach_rate_limit_requests
        self.window = max(1, settings.coach_rate_limit_window_seconds)
        self._redis: Any = None
        self._aredis: Any = None
        if settings.coach_redis_url:
            import redis  # optional dependency, only needed when configured
            import redis.asyncio

            url = settings.coach_redis_url
            self._redis = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
            self._aredis = redis.asyncio.Redis.from_url(
                url, socket_timeout=1.0, socket_connect_timeout=1.0
            )

    @property
    def uses_redis(self) -> bool:
        return self._redis is not None

    def _window(self, now: float) -> tuple[int, int]:
        start = int(now) - int(now) % self.window
        return start, max(1, start + self.window - int(now))

    def hit(self, session: Session, user_id: str, now: float | None = None) -> RateDecision:
        """Count one request of ``user_id``; allowed while the window's count <= limit."""
        if self.limit <= 0:
            return RateDecision(True, 0)
        now = time.time() if now is None else now
        start, retry_after = self._window(now)
        if self._redis is not None:
            import redis

            pipe = self._redis.pipeline()
            pipe.incr(self._key(user_id, start))
            pipe.expire(self._key(user_id, start), self.window + 5)
            try:
                count = int(pipe.execute()[0])
            except redis.RedisError as exc:
                raise LimiterUnavailable(repr(exc)) from exc
        else:
            count = self._db_incr(session, user_id, start)
        return RateDecision(count <= self.limit, retry_after)

    async def hit_redis(self, user_id: str, now: float | None = None) -> RateDecision:
        """``hit`` through the asyncio Redis client (the event loop must not block on I/O)."""
        if self.limit <= 0:
            return RateDecision(True, 0)
        start, retry_after = self._window(time.time() if now is None else now)
        import redis

        pipe = self._aredis.pipeline()
        pipe.incr(self._key(user_id, start))
        pipe.expire(self._key(user_id, start), self.window + 5)
        try:
            count = int((await pipe.execute())[0])
        except redis.RedisError as exc:
            raise LimiterUnavailable(repr(exc)) from exc
        return RateDecision(count <= self.limit, retry_after)

    @staticmethod
    def _key(user_id: str, start: int) -> str:
        return f"rlcoach:coach:rl:{user_id}:{start}"

    def _db_incr(self, session: Session, user_id: str, start: int) -> int:
        windows = WINDOWS  # Core table: cheaper per call than an ORM-enabled statement
        stmt = upsert_insert(session, windows).values(user_id=user_id, window_start=start, count=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=[windows.c.user_id, windows.c.window_start],
            set_={"count": windows.c.count + 1},
        ).returning(windows.c.count)
        count = int(session.execute(stmt).scalar_one())
        if count == 1:
            # First request of a new window: drop this user's older windows.
            session.execute(
                delete(windows).where(windows.c.user_id == user_id, windows.c.window_start < start)
            )
        return count
