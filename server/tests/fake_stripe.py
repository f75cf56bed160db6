"""A fake Stripe API on loopback, speaking Stripe's wire format.

Requests arrive form-encoded (``a[b][0][c]=v``) with ``Authorization: Bearer sk_...`` the way
the real ``stripe`` SDK sends them; answers are Stripe-shaped JSON objects, and errors use
Stripe's ``{"error": {...}}`` envelope. Every request is recorded so tests can assert what
the SDK actually sent. ``fail_next`` makes the next call to a path fail.

It keeps the state account deletion and checkout deduplication depend on: customers,
Checkout Sessions (open / complete / expired) and subscriptions, listable by customer the
way the SDK's ``list`` calls ask (``GET /v1/subscriptions?customer=..&status=all``).
``complete_checkout`` plays the user paying: the session completes and a subscription
appears at Stripe, before (or without) any webhook reaching us.
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
    customers: dict[str, dict] = field(default_factory=dict)
    sessions: dict[str, dict] = field(default_factory=dict)
    subscriptions: dict[str, dict] = field(default_factory=dict)
    idempotent: dict[str, tuple[int, dict]] = field(default_factory=dict)

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
            self.customers.clear()
            self.sessions.clear()
            self.subscriptions.clear()
            self.idempotent.clear()

    def complete_checkout(self, session_id: str) -> dict:
        """The user pays: the session completes and its subscription exists at Stripe."""
        with self.lock:
            session = self.sessions[session_id]
            assert session["status"] == "open", session
            sub = {
                "id": "sub_" + secrets.token_hex(7),
                "object": "subscription",
                "customer": session["customer"],
                "status": "active",
                "created": int(time.time()),
                "metadata": dict(session.get("subscription_metadata", {})),
                "livemode": False,
            }
            self.subscriptions[sub["id"]] = sub
            session["status"] = "complete"
            session["subscription"] = sub["id"]
            return dict(sub)

    def live_subscriptions(self, customer: str | None = None) -> list[dict]:
        with self.lock:
            return [
                s
                for s in self.subscriptions.values()
                if s["status"] not in ("canceled", "incomplete_expired")
                and (customer is None or s["customer"] == customer)
            ]

    def _list(self, url: str, items: list[dict]) -> tuple[int, dict]:
        return 200, {"object": "list", "url": url, "has_more": False, "data": items}

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
        key = headers.get("idempotency-key")
        if method == "POST" and key:
            # Stripe replays the first answer to a repeated idempotency key.
            with self.lock:
                if key in self.idempotent:
                    return self.idempotent[key]
            answer = self._answer(method, path, form)
            with self.lock:
                self.idempotent.setdefault(key, answer)
                return self.idempotent[key]
        return self._answer(method, path, form)

    def _answer(self, method: str, path: str, form: dict[str, str]) -> tuple[int, dict]:
        now = int(time.time())
        if method == "POST" and path == "/v1/customers":
            customer = {
                "id": "cus_" + secrets.token_hex(7),
                "object": "customer",
                "created": now,
                "email": form.get("email"),
                "name": form.get("name"),
                "metadata": _sub_dict(form, "metadata"),
                "livemode": False,
            }
            with self.lock:
                self.customers[customer["id"]] = customer
            return 200, customer
        if method == "DELETE" and path.startswith("/v1/customers/"):
            cid = path.rsplit("/", 1)[1]
            with self.lock:
                if self.customers.pop(cid, None) is None:
                    return 404, _missing(f"No such customer: '{cid}'")
                # Stripe: deleting a customer cancels its active subscriptions at once.
                for sub in self.subscriptions.values():
                    if sub["customer"] == cid:
                        sub["status"] = "canceled"
            return 200, {"id": cid, "object": "customer", "deleted": True}
        if method == "POST" and path == "/v1/checkout/sessions":
            sid = "cs_test_" + secrets.token_hex(12)
            session = {
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
            with self.lock:
                self.sessions[sid] = {
                    **session,
                    "subscription_metadata": _sub_dict(form, "subscription_data[metadata]"),
                }
            return 200, session
        if method == "GET" and path == "/v1/checkout/sessions":
            with self.lock:
                found = [
                    {k: v for k, v in s.items() if k != "subscription_metadata"}
                    for s in self.sessions.values()
                    if s["customer"] == form.get("customer")
                    and ("status" not in form or s["status"] == form["status"])
                ]
            return self._list(path, found)
        if (
            method == "POST"
            and path.startswith("/v1/checkout/sessions/")
            and path.endswith("/expire")
        ):
            sid = path.split("/")[4]
            with self.lock:
                session = self.sessions.get(sid)
                if session is None:
                    return 404, _missing(f"No such checkout.session: '{sid}'")
                if session["status"] != "open":
                    return 400, _error("invalid_request_error", "session is not open")
                session["status"] = "expired"
                out = {k: v for k, v in session.items() if k != "subscription_metadata"}
            return 200, out
        if method == "GET" and path == "/v1/subscriptions":
            with self.lock:
                found = [
                    dict(s)
                    for s in self.subscriptions.values()
                    if s["customer"] == form.get("customer")
                    and (form.get("status") == "all" or s["status"] != "canceled")
                ]
            return self._list(path, found)
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
            with self.lock:
                if sub_id in self.subscriptions:
                    self.subscriptions[sub_id]["status"] = "canceled"
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


def _missing(message: str) -> dict:
    return {
        "error": {"type": "invalid_request_error", "code": "resource_missing", "message": message}
    }


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
