"""Liveness/readiness: ``GET /healthz`` answers 200 only when the database answers.

It uses a connection of its own (``app.state.health_engine``, one connection per worker,
outside the request pool and its ``DbGate``), so it stays fast while the request pool is
saturated: a load balancer must not take a busy worker for a dead one.

When the coach counts its rate windows in Redis, Redis is checked too: unreachable, the body
says ``"status": "degraded", "redis": "unreachable"`` (the coach answers 503 meanwhile), but
the status stays 200. Every worker shares that Redis, so a failing readiness check would take
the whole fleet out of the load balancer, device login and billing included.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..services.coach_ratelimit import redis_reachable

router = APIRouter(tags=["health"])


@router.get("/healthz", responses={503: {"description": "database unreachable"}})
def healthz(request: Request) -> JSONResponse:
    try:
        with request.app.state.health_engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        # Don't echo the driver error: it can contain the database URL.
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    body: dict[str, Any] = {"status": "ok", "database": "ok"}
    redis_url = request.app.state.settings.coach_redis_url
    if redis_url:
        up = redis_reachable(redis_url)
        body["redis"] = "ok" if up else "unreachable"
        if not up:
            body["status"] = "degraded"
    return JSONResponse(body)
