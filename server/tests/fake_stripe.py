"""A fake Stripe API on loopback, speaking Stripe's wire format.

Requests arrive form-encoded (``a[b][0][c]=v``) with ``Authorization: Bearer sk_...`` the way
the real ``stripe`` SDK sends them; answers are Stripe-shaped JSON objects, and errors use
Stripe's ``{"error": {...}}`` envelope. Every request is recorded so tests can assert what
the SDK actually sent. ``fail_next`` makes the next call to a path fail.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from loopback import LoopbackServer, QuietHandler


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class FakeStripe:
    api_key: str = "sk_test_fake_" + "k" * 24
    requests: list[Recorded] = field(default_factory=list)
    fail_next: dict[str, tuple[int, dict]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: LoopbackServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return self.server.base_url

    def calls(self, method: str, path_prefix: str) -> list[Recorded]:
        with self.lock:
            return [
                r for r in self.requests if r.method == method and r.path.startswith(path_prefix)
            ]

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.fail_next.clear()

    # --- responses -------------------------------------------------------------------
    def handle(
        self, method: str, path: str, headers: dict[str, str], form: dict[str, str]
    ) -> tuple[int, dict]:
        with self.lock:
            self.requests.append(Recorded(method, path, headers, form))
            failure = self.fail_next.pop(path, None)
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, _error("invalid_request_error", "Invalid API Key provided")
        if failure is not None:
            return failure
        now = int(time.time())
        if method == "POST" and path == "/v1/customers":
            return 200, {
                "id": "cus_" + secrets.token_hex(7),
                "object": "customer",
                "created": now,
                "email": form.get("email"),
                "metadata": _sub_dict(form, "metadata"),
                "livemode": False,
            }
        if method == "POST" and path == "/v1/checkout/sessions":
            sid = "cs_test_" + secrets.token_hex(12)
            return 200, {
                "id": sid,
                "object": "checkout.session",
                "mode": form.get("mode"),
                "customer": form.get("customer"),
                "client_reference_id": form.get("client_reference_id"),
                "status": "open",
                "url": f"https://checkout.stripe.test/c/pay/{sid}",
                "created": now,
                "livemode": False,
            }
        if method == "POST" and path == "/v1/billing_portal/sessions":
            sid = "bps_" + secrets.token_hex(12)
            return 200, {
                "id": sid,
                "object": "billing_portal.session",
                "customer": form.get("customer"),
                "return_url": form.get("return_url"),
                "url": f"https://billing.stripe.test/p/session/{sid}",
                "created": now,
                "livemode": False,
            }
        if method == "DELETE" and path.startswith("/v1/subscriptions/"):
            sub_id = path.rsplit("/", 1)[1]
            return 200, {
                "id": sub_id,
                "object": "subscription",
                "status": "canceled",
                "canceled_at": now,
                "livemode": False,
            }
        return 404, _error("invalid_request_error", f"Unrecognized request URL ({method}: {path})")


def _error(kind: str, message: str) -> dict:
    return {"error": {"type": kind, "message": message}}


def _sub_dict(form: dict[str, str], prefix: str) -> dict[str, str]:
    out = {}
    for k, v in form.items():
        if k.startswith(prefix + "[") and k.endswith("]"):
            out[k[len(prefix) + 1 : -1]] = v
    return out


class _Handler(QuietHandler):
    def _dispatch(self, method: str) -> None:
        fake: FakeStripe = self.server.owner.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        body = self.read_body().decode()
        raw = body if method != "GET" and method != "DELETE" else parts.query
        if method == "DELETE" and body:
            raw = body
        form = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, payload = fake.handle(method, parts.path, headers, form)
        self.send_json(
            status, json.dumps(payload).encode(), {"Request-Id": "req_" + secrets.token_hex(6)}
        )

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")


def start_fake_stripe() -> FakeStripe:
    fake = FakeStripe()
    server = LoopbackServer(_Handler)
    server.fake = fake  # type: ignore[attr-defined]
    fake.server = server.start()
    return fake
