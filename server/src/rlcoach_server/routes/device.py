"""The device verification page (RFC 8628 section 3.3) and the upstream sign-in.

Flow: the user opens ``/device`` (optionally ``?user_code=XXXX-XXXX``), signs in with
Discord or Google (authlib authorization-code flow; dev login in dev mode only), sees
which client asks, when and from which IP, and approves or denies.

Design:
- Browser state (signed-in user id, CSRF token, authlib's OAuth ``state``/nonce, the code
  typed before signing in) lives in Starlette's signed session cookie; everything else is
  in the database, so any worker can serve any step.
- Every POST form carries a CSRF token that must equal the one in the session
  (``hmac.compare_digest``). The session cookie is also SameSite=Lax.
- User-code attempts are limited atomically (``ratelimit.hit``) per signed-in account
  (``user_code_failures_per_minute``) and per client IP (5x that, for guessing with many
  accounts from one address); past either the page answers 429 without saying whether the
  code was valid. Codes that work are not counted, so somebody else guessing from your
  network (one NAT, one office) does not lock you out of approving your own code: only
  your account's own wrong codes, or a multi-account flood from your IP, can.
- Pages are not framable (the approve button must not be clickjacked) and not cached.
- Async routes (authlib is async) push blocking database work to the thread pool.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
from authlib.integrations.base_client.errors import OAuthError
from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from joserfc.errors import JoseError
from sqlalchemy.orm import Session

from ..config import Settings
from ..deps import DbDep, SettingsDep, client_ip
from ..models import DeviceAuthorization, User
from ..services import device_flow, ratelimit
from ..services.providers import PROVIDER_LABELS, UpstreamIdentity, identity_from_token
from ..services.users import get_or_create_user

log = logging.getLogger(__name__)
router = APIRouter(tags=["device"])
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))

RATE_WINDOW = timedelta(minutes=1)
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}
HTML: dict[str, Any] = {"content": {"text/html": {}}}
OptForm = Annotated[str | None, Form()]


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def csrf_ok(request: Request, submitted: str | None) -> bool:
    expected = request.session.get("csrf")
    if not expected or not submitted:
        return False
    return hmac.compare_digest(str(expected).encode(), submitted.encode())


def _session_user(request: Request, db: Session) -> User | None:
    uid = request.session.get("uid")
    return db.get(User, uid) if isinstance(uid, str) else None


def render(
    request: Request, settings: Settings, page: str, status: int = 200, **ctx: Any
) -> HTMLResponse:
    user: User | None = ctx.pop("user", None)
    context = {
        "page": page,
        "signed_in": user is not None,
        "user_label": (user.name or user.email or "you") if user else "",
        "csrf_token": csrf_token(request),
        "dev_mode": settings.dev_mode,
        "providers": [{"id": p, "label": PROVIDER_LABELS[p]} for p in settings.enabled_providers],
        **ctx,
    }
    headers = dict(SECURITY_HEADERS)
    if status == 429:
        headers["Retry-After"] = str(int(RATE_WINDOW.total_seconds()))
    return templates.TemplateResponse(
        request, "device.html", context, status_code=status, headers=headers
    )


def _confirm_context(settings: Settings, row: DeviceAuthorization) -> dict[str, Any]:
    return {
        "client_name": settings.oauth_clients.get(row.client_id, row.client_id),
        "user_code": device_flow.format_user_code(row.user_code),
        "requested_at": row.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        "requester_ip": row.requester_ip,
        "requester_user_agent": row.requester_user_agent,
    }


IP_LIMIT_FACTOR = 5
TOO_MANY = "Too many wrong codes. Wait a minute and try again."


def _guess_keys(request: Request, settings: Settings, user: User) -> list[tuple[str, int]]:
    limit = settings.user_code_failures_per_minute
    return [
        (f"user_code:acct:{user.id}", limit),
        (f"user_code:ip:{client_ip(request)}", limit * IP_LIMIT_FACTOR),
    ]


def take_guess(request: Request, db: Session, settings: Settings, user: User) -> list[int] | None:
    """Atomically count one code attempt before looking the code up, so a burst cannot get
    more than the limit evaluated. None (answer 429) when the account or IP is over it."""
    taken: list[int] = []
    for key, limit in _guess_keys(request, settings, user):
        event_id = ratelimit.hit(db, key, limit, RATE_WINDOW)
        if event_id is None:
            db.rollback()
            return None
        taken.append(event_id)
    db.commit()
    return taken


def too_many(request: Request, settings: Settings, user: User) -> HTMLResponse:
    return render(request, settings, "enter_code", 429, user=user, error=TOO_MANY)


def wrong_code(request: Request, settings: Settings, user: User, typed: str | None) -> HTMLResponse:
    error = "That code is not valid or has expired."
    return render(request, settings, "enter_code", 400, user=user, user_code=typed, error=error)


@router.get("/device", response_class=HTMLResponse, responses={429: HTML, 400: HTML})
def device_page(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    user_code: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    user = _session_user(request, db)
    if user is None:
        if user_code:
            # Remember the code across the provider round trip.
            request.session["pending_user_code"] = user_code[:16]
        return render(request, settings, "login")
    if not user_code:
        return render(request, settings, "enter_code", user=user)
    taken = take_guess(request, db, settings, user)
    if taken is None:
        return too_many(request, settings, user)
    code = device_flow.normalize_user_code(user_code)
    row = device_flow.find_pending(db, code) if code else None
    if row is None:
        return wrong_code(request, settings, user, user_code)
    # A code that works does not count against anybody's limit.
    ratelimit.refund(db, taken)
    db.commit()
    return render(request, settings, "confirm", user=user, **_confirm_context(settings, row))


@router.post("/device", response_class=HTMLResponse, responses={400: HTML, 403: HTML, 429: HTML})
def device_decide(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    csrf_token: OptForm = None,
    user_code: OptForm = None,
    action: OptForm = None,
) -> HTMLResponse:
    if not csrf_ok(request, csrf_token):
        return render(request, settings, "login", 403, error="The form expired; please retry.")
    user = _session_user(request, db)
    if user is None:
        return render(request, settings, "login", 403, error="Please sign in first.")
    if action not in ("approve", "deny"):
        return render(request, settings, "enter_code", 400, user=user, error="Unknown action.")
    taken = take_guess(request, db, settings, user)
    if taken is None:
        return too_many(request, settings, user)
    code = device_flow.normalize_user_code(user_code)
    if code is None or not device_flow.decide(db, code, user, approve=action == "approve"):
        db.rollback()
        return wrong_code(request, settings, user, user_code)
    ratelimit.refund(db, taken)
    db.commit()
    log.info("device authorization %s by user %s", action, user.id)
    return render(request, settings, "done", user=user, approved=action == "approve")


def _finish_login(request: Request, user: User) -> RedirectResponse:
    pending = request.session.get("pending_user_code")
    # Fresh session on sign-in: no CSRF token or state from before carries over.
    request.session.clear()
    request.session["uid"] = user.id
    target = "/device"
    if isinstance(pending, str) and (code := device_flow.normalize_user_code(pending)):
        target = f"/device?user_code={device_flow.format_user_code(code)}"
    return RedirectResponse(target, status_code=303)


def _login_with(request: Request, ident: UpstreamIdentity) -> User:
    factory = request.app.state.sessionmaker
    with factory() as db:
        user = get_or_create_user(db, ident)
        db.commit()
        return user


@router.get("/device/login/{provider}", response_class=Response, responses={302: {}, 404: HTML})
async def login(request: Request, provider: str) -> Response:
    settings: Settings = request.app.state.settings
    if provider not in settings.enabled_providers:
        return render(request, settings, "login", 404, error="Unknown sign-in provider.")
    client = request.app.state.oauth.create_client(provider)
    redirect_uri = settings.url(f"/device/callback/{provider}")
    try:
        resp: Response = await client.authorize_redirect(request, redirect_uri)
    except (OAuthError, httpx.HTTPError) as exc:
        log.warning("could not start %s sign-in: %s", provider, type(exc).__name__)
        return render(request, settings, "login", 502, error="The sign-in provider is unavailable.")
    return resp


@router.get("/device/callback/{provider}", response_class=Response, responses={303: {}, 400: HTML})
async def callback(request: Request, provider: str) -> Response:
    settings: Settings = request.app.state.settings
    if provider not in settings.enabled_providers:
        return render(request, settings, "login", 404, error="Unknown sign-in provider.")
    oauth = request.app.state.oauth
    try:
        token = await oauth.create_client(provider).authorize_access_token(request)
        ident = await identity_from_token(oauth, provider, token)
    # JoseError: an id_token with a bad signature, audience, issuer, nonce or expiry.
    except (OAuthError, JoseError, httpx.HTTPError, KeyError, ValueError) as exc:
        # Log the kind of failure only: provider errors can echo codes or tokens.
        log.warning("%s sign-in failed: %s", provider, type(exc).__name__)
        return render(request, settings, "login", 400, error="Sign-in failed; please try again.")
    user = await run_in_threadpool(_login_with, request, ident)
    log.info("user %s signed in with %s", user.id, provider)
    return _finish_login(request, user)


@router.post(
    "/device/dev-login", response_class=Response, responses={303: {}, 403: HTML, 404: HTML}
)
def dev_login(
    request: Request, settings: SettingsDep, csrf_token: OptForm = None, name: OptForm = None
) -> Response:
    if not settings.dev_mode:
        return render(request, settings, "login", 404, error="Not found.")
    if not csrf_ok(request, csrf_token):
        return render(request, settings, "login", 403, error="The form expired; please retry.")
    label = (name or "Dev User").strip()[:100] or "Dev User"
    ident = UpstreamIdentity(
        "dev", label.lower(), f"{label.lower().replace(' ', '.')}@dev.local", label
    )
    return _finish_login(request, _login_with(request, ident))


@router.post("/device/logout", response_class=Response, responses={303: {}, 403: HTML})
def logout(request: Request, settings: SettingsDep, csrf_token: OptForm = None) -> Response:
    if not csrf_ok(request, csrf_token):
        return render(request, settings, "login", 403, error="The form expired; please retry.")
    request.session.clear()
    return RedirectResponse("/device", status_code=303)
