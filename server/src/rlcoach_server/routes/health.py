"""Liveness/readiness: ``GET /healthz`` answers 200 only when the database answers."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..deps import DbDep

router = APIRouter(tags=["health"])


@router.get("/healthz", responses={503: {"description": "database unreachable"}})
def healthz(db: DbDep) -> JSONResponse:
    try:
        db.execute(text("SELECT 1"))
    except SQLAlchemyError:
        # Don't echo the driver error: it can contain the database URL.
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
