"""OAuth endpoints for the CLI: metadata (RFC 8414), device code (RFC 8628), token
(device_code and refresh_token grants, RFC 6749) and revocation (RFC 7009).

Design:
- Form parameters are all optional in the signature and validated by hand, so malformed
  requests get RFC 6749 ``{"error": "invalid_request"}`` with 400 instead of FastAPI's 422.
- Clients are public (the CLI cannot keep a secret); ``client_id`` must be one configured
  in ``oauth_clients``.
- Token responses carry ``Cache-Control: no-store`` (RFC 6749 section 5.1).
- State changes made while answering an error (slow_down, family revocation on refresh
  token reuse) are committed before the error is returned.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse

from ..deps import DbDep, SettingsDep, client_ip
from ..services import device_flow, ratelimit
from ..services.tokens import TokenError, revoke_token, rotate_refresh_token

router = APIRouter(tags=["oauth"])

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
HOUR = timedelta(hours=1)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

OAUTH_ERROR = {
    "description": "RFC 6749 error",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "error": {"type": "string"},
                    "error_description": {"type": "string"},
                },
                "required": ["error"],
            }
        }
    },
}

OptForm = Annotated[str | None, Form()]


def oauth_error(error: str, description: str = "", status: int = 400) -> JSONResponse:
    body: dict[str, Any] = {"error": error}
    if description:
        body["error_description"] = description
    return JSONResponse(body, status_code=status, headers=NO_STORE)


@router.get("/.well-known/oauth-authorization-server")
def metadata(settings: SettingsDep) -> dict[str, Any]:
    """RFC 8414 authorization server metadata."""
    return {
        "issuer": settings.public_url.rstrip("/"),
        "device_authorization_endpoint": settings.url("/oauth/device/code"),
        "token_endpoint": settings.url("/oauth/token"),
        "revocation_endpoint": settings.url("/oauth/revoke"),
        # No browser redirect flow for clients: only the device grant and refresh.
        "response_types_supported": [],
        "grant_types_supported": [DEVICE_GRANT, "refresh_token"],
        "token_endpoint_auth_methods_supported": ["none"],
        "revocation_endpoint_auth_methods_supported": ["none"],
        "service_documentation": settings.url("/docs"),
    }


@router.post("/oauth/device/code", responses={400: OAUTH_ERROR})
def device_code(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    client_id: OptForm = None,
    scope: OptForm = None,
) -> JSONResponse:
    """RFC 8628 section 3.1/3.2: start a device authorization."""
    if not client_id:
        return oauth_error("invalid_request", "client_id is required")
    if client_id not in settings.oauth_clients:
        return oauth_error("invalid_client", "unknown client_id")
    ip = client_ip(request)
    limit = settings.device_codes_per_ip_per_hour
    if ratelimit.hit(db, f"device_code:ip:{ip}", limit, HOUR) is None:
        db.rollback()
        return JSONResponse(
            {"error": "slow_down", "error_description": "too many device codes; retry later"},
            status_code=429,
            headers={**NO_STORE, "Retry-After": "600"},
        )
    started = device_flow.start(
        db,
        settings,
        client_id=client_id,
        scope=(scope or "")[:200],
        requester_ip=ip,
        requester_user_agent=request.headers.get("user-agent"),
    )
    db.commit()
    user_code = device_flow.format_user_code(started.row.user_code)
    return JSONResponse(
        {
            "device_code": started.device_code,
            "user_code": user_code,
            "verification_uri": settings.url("/device"),
            "verification_uri_complete": settings.url(f"/device?user_code={user_code}"),
            "expires_in": settings.device_code_ttl_seconds,
            "interval": started.row.interval,
        },
        headers=NO_STORE,
    )


@router.post("/oauth/token", responses={400: OAUTH_ERROR})
def token(
    db: DbDep,
    settings: SettingsDep,
    grant_type: OptForm = None,
    client_id: OptForm = None,
    device_code: OptForm = None,
    refresh_token: OptForm = None,
) -> JSONResponse:
    """Token endpoint for the device_code and refresh_token grants."""
    if not grant_type:
        return oauth_error("invalid_request", "grant_type is required")
    if grant_type not in (DEVICE_GRANT, "refresh_token"):
        return oauth_error("unsupported_grant_type")
    if not client_id:
        return oauth_error("invalid_request", "client_id is required")
    if client_id not in settings.oauth_clients:
        return oauth_error("invalid_client", "unknown client_id")
    try:
        if grant_type == DEVICE_GRANT:
            if not device_code:
                return oauth_error("invalid_request", "device_code is required")
            issued = device_flow.poll(db, settings, device_code, client_id)
        else:
            if not refresh_token:
                return oauth_error("invalid_request", "refresh_token is required")
            issued = rotate_refresh_token(db, settings, refresh_token, client_id)
    except TokenError as exc:
        db.commit()  # keep slow_down's longer interval / the family revocation
        return oauth_error(exc.error, exc.description)
    db.commit()
    return JSONResponse(issued.as_response(), headers=NO_STORE)


@router.post("/oauth/revoke", responses={400: OAUTH_ERROR})
def revoke(
    db: DbDep,
    token: OptForm = None,
    token_type_hint: OptForm = None,
    client_id: OptForm = None,
) -> JSONResponse:
    """RFC 7009: 200 whether or not the token was valid (no oracle for token validity)."""
    if not token:
        return oauth_error("invalid_request", "token is required")
    # token_type_hint is only an optimisation hint; we look in both tables anyway.
    revoke_token(db, token, client_id or None)
    db.commit()
    return JSONResponse({}, headers=NO_STORE)
