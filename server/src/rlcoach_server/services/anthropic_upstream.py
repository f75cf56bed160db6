"""The server's connection to the Anthropic Messages API (httpx, async, streaming).

Design:
- One ``httpx.AsyncClient`` per app, created lazily inside the running event loop and closed by
  the coach router's lifespan. Its pool is sized for many long-lived concurrent streams
  (httpx's default of 100 connections would queue the 101st stream behind the others).
- Requests go out with the server's key (``x-api-key``) and ``anthropic-version``; the client's
  rlcoach token never leaves this server. The client's ``anthropic-version`` and
  ``anthropic-beta`` are forwarded when given, so SDK features keep working; nothing else is.
- ``accept-encoding: identity``: a compressed event stream would be held back by the
  decompressor, adding latency to every event for bandwidth we do not need on this hop.
- Responses are opened with ``stream=True`` so the proxy can forward events as they arrive;
  callers must ``aclose()`` them.
"""

from __future__ import annotations

import httpx

from ..config import Settings

FORWARDED_CLIENT_HEADERS = ("anthropic-version", "anthropic-beta")


class Upstream:
    def __init__(self, settings: Settings) -> None:
        self.base_url = settings.anthropic_base_url.rstrip("/")
        self._key = settings.anthropic_api_key.get_secret_value()
        self._version = settings.anthropic_version
        self._timeout = httpx.Timeout(
            connect=10.0, read=settings.anthropic_timeout_seconds, write=30.0, pool=10.0
        )
        self._client: httpx.AsyncClient | None = None

    @property
    def configured(self) -> bool:
        return bool(self._key)

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self._timeout,
                limits=httpx.Limits(max_connections=2000, max_keepalive_connections=200),
                # The server's environment (proxies, .netrc) must not reroute the API key.
                trust_env=False,
            )
        return self._client

    def headers(self, client_headers: dict[str, str] | None = None) -> dict[str, str]:
        headers = {
            "x-api-key": self._key,
            "anthropic-version": self._version,
            "content-type": "application/json",
            "accept-encoding": "identity",
        }
        for name in FORWARDED_CLIENT_HEADERS:
            value = (client_headers or {}).get(name)
            if value:
                headers[name] = value
        return headers

    async def open(
        self, path: str, body: bytes, client_headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """POST ``body`` to ``path`` and return the response with its body not yet read."""
        request = self.client.build_request(
            "POST", self.base_url + path, content=body, headers=self.headers(client_headers)
        )
        return await self.client.send(request, stream=True)

    async def count_tokens(self, body: bytes, client_headers: dict[str, str] | None = None) -> int:
        """Upstream's input token count of a Messages request; raises on any failure."""
        resp = await self.client.post(
            self.base_url + "/v1/messages/count_tokens",
            content=body,
            headers=self.headers(client_headers),
        )
        resp.raise_for_status()
        return int(resp.json()["input_tokens"])

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
