"""Structured logs with a request id, from a real worker process (issue 13, deployability)."""

from __future__ import annotations

import json

import httpx
import pytest

from server_process import server_process
from stripe_helpers import sign

pytestmark = pytest.mark.postgres_only


def test_json_logs_carry_the_request_id(settings, tmp_path) -> None:
    log_path = tmp_path / "worker.log"
    with (
        log_path.open("wb") as log_file,
        server_process(settings, stderr=log_file) as server,
        httpx.Client(base_url=server.url) as c,
    ):
        r = c.get("/healthz", headers={"X-Request-ID": "proxy-id-1234"})
        assert r.headers["x-request-id"] == "proxy-id-1234"
        fresh = c.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
        assert fresh.headers["x-request-id"] != "bad id <script>"
        c.get("/device", params={"user_code": "SECRETCODE"})
        payload = "{}"
        c.post(
            "/billing/webhook",
            content=payload,
            headers={
                "Stripe-Signature": sign(payload, secret="whsec_wrong"),
                "X-Request-ID": "hook-req-5678",
            },
        )
    text = log_path.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    (probe,) = [
        ln for ln in lines if ln["msg"] == "request" and ln["request_id"] == "proxy-id-1234"
    ]
    assert (probe["method"], probe["path"], probe["status"]) == ("GET", "/healthz", 200)
    assert probe["duration_ms"] >= 0
    # A line logged inside a request carries that request's id.
    assert any(
        line["request_id"] == "hook-req-5678" and "rejected webhook" in line["msg"]
        for line in lines
    )
    assert "SECRETCODE" not in text  # query strings never reach the logs
