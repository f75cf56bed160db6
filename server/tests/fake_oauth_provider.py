"""A fake OAuth 2.0 / OpenID Connect provider on loopback (plays both Google and Discord).

It implements the real authorization-code flow: ``/authorize`` redirects back with a
one-time ``code`` and the caller's ``state``; ``/token`` checks client credentials (HTTP
Basic or form), the code and the redirect_uri, and returns an access token plus an RS256
``id_token`` (with the nonce) verifiable against ``/jwks``. ``/userinfo`` (OIDC) and
``/api/users/@me`` (Discord) answer for a valid bearer token.

Tests choose who signs in by setting ``fake.next_user`` before following the redirect.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from loopback import LoopbackServer, QuietHandler

CLIENT_ID = "fake-client-id"
CLIENT_SECRET = "fake-client-secret-" + "s" * 20


@dataclass
class FakeUser:
    sub: str
    email: str
    name: str
    email_verified: bool = True


@dataclass
class FakeProvider:
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, auto_kid=True))
    next_user: FakeUser = field(default_factory=lambda: FakeUser("1001", "ana@example.com", "Ana"))
    codes: dict[str, dict] = field(default_factory=dict)
    tokens: dict[str, FakeUser] = field(default_factory=dict)
    authorize_requests: list[dict] = field(default_factory=list)
    token_requests: list[dict] = field(default_factory=list)
    # Tests can make the next id_token invalid: "signature" (signed by another key) or
    # "audience" (issued to another client).
    break_id_token: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: LoopbackServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return self.server.base_url

    def metadata(self) -> dict:
        b = self.base_url
        return {
            "issuer": b,
            "authorization_endpoint": f"{b}/authorize",
            "token_endpoint": f"{b}/token",
            "userinfo_endpoint": f"{b}/userinfo",
            "jwks_uri": f"{b}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def authorize(self, query: dict[str, str]) -> str:
        """Returns the redirect Location (the user "consented")."""
        code = secrets.token_urlsafe(16)
        with self.lock:
            self.codes[code] = {
                "client_id": query.get("client_id"),
                "redirect_uri": query.get("redirect_uri"),
                "nonce": query.get("nonce"),
                "user": self.next_user,
                "code_challenge": query.get("code_challenge"),
                "code_challenge_method": query.get("code_challenge_method"),
            }
            self.authorize_requests.append(dict(query))
        params = {"code": code, "state": query.get("state", "")}
        return f"{query['redirect_uri']}?{urlencode(params)}"

    def token(self, form: dict[str, str], auth_header: str | None) -> tuple[int, dict]:
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if auth_header and auth_header.startswith("Basic "):
            decoded = base64.b64decode(auth_header[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
        with self.lock:
            self.token_requests.append(dict(form))
            grant = self.codes.pop(form.get("code", ""), None)  # single use
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code" or grant is None:
            return 400, {"error": "invalid_grant"}
        if grant["redirect_uri"] != form.get("redirect_uri") or grant["client_id"] != client_id:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri mismatch"}
        # PKCE (RFC 7636), required like an OAuth 2.1 provider would: S256 only.
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if grant["code_challenge_method"] != "S256" or grant["code_challenge"] != expected:
            return 400, {"error": "invalid_grant", "error_description": "PKCE check failed"}
        user: FakeUser = grant["user"]
        access = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[access] = user
        now = int(time.time())
        claims = {
            "iss": self.base_url,
            "aud": client_id,
            "sub": user.sub,
            "email": user.email,
            "email_verified": user.email_verified,
            "name": user.name,
            "iat": now,
            "exp": now + 300,
        }
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        key = self.key
        if self.break_id_token == "signature":
            key = RSAKey.generate_key(2048, parameters={"kid": self.key.kid})
        elif self.break_id_token == "audience":
            claims["aud"] = "someone-else"
        self.break_id_token = None
        id_token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, key)
        return 200, {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": "openid email profile",
            "id_token": id_token,
        }

    def user_for(self, auth_header: str | None) -> FakeUser | None:
        if not auth_header or not auth_header.startswith("Bearer "):
            return None
        with self.lock:
            return self.tokens.get(auth_header[7:])


class _Handler(QuietHandler):
    def do_GET(self) -> None:
        fake: FakeProvider = self.server.owner.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/.well-known/openid-configuration":
            return self.send_json(200, json.dumps(fake.metadata()).encode())
        if parts.path == "/jwks":
            jwks = {"keys": [fake.key.as_dict(private=False)]}
            return self.send_json(200, json.dumps(jwks).encode())
        if parts.path == "/authorize":
            self.send_response(302)
            self.send_header("Location", fake.authorize(query))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        user = fake.user_for(self.headers.get("Authorization"))
        if user is None:
            return self.send_json(401, b'{"error": "invalid_token"}')
        if parts.path == "/userinfo":
            body = {
                "sub": user.sub,
                "email": user.email,
                "email_verified": user.email_verified,
                "name": user.name,
            }
            return self.send_json(200, json.dumps(body).encode())
        if parts.path == "/api/users/@me":  # Discord's shape
            body = {
                "id": user.sub,
                "username": user.name.lower(),
                "global_name": user.name,
                "email": user.email,
                "verified": user.email_verified,
            }
            return self.send_json(200, json.dumps(body).encode())
        return self.send_json(404, b'{"error": "not_found"}')

    def do_POST(self) -> None:
        fake: FakeProvider = self.server.owner.fake  # type: ignore[attr-defined]
        if urlsplit(self.path).path != "/token":
            return self.send_json(404, b'{"error": "not_found"}')
        form = {k: v[-1] for k, v in parse_qs(self.read_body().decode()).items()}
        status, body = fake.token(form, self.headers.get("Authorization"))
        return self.send_json(status, json.dumps(body).encode())


def start_fake_provider() -> FakeProvider:
    fake = FakeProvider()
    server = LoopbackServer(_Handler)
    server.fake = fake  # type: ignore[attr-defined]
    fake.server = server.start()
    return fake
