"""The server's connection to the Anthropic Messages API (httpx, async, streaming).

Design:
- A few ``httpx.AsyncClient``s per app (``POOL_SHARDS``), created lazily inside the running
  event loop, used round-robin, closed by the coach router's lifespan. Why several: httpcore's
  pool rescans every connection it holds (with a readability syscall per idle one and a
  quadratic idle count) on each request start and end; with ~100 open streams in one pool that
  scan was a quarter of the server's CPU in the load benchmark. Shards keep each pool small,
  and every shard still keeps its connections alive (TLS handshakes to the real API are dear).
  No shard has a connection cap that could queue a stream behind others.
- Requests go out with the server's key (``x-api-key``) and ``anthropic-version``; the client's
  rlcoach token never leaves this server. The client's ``anthropic-version`` is forwarded
  when given; no other client header is (betas could change the price of a call).
- ``accept-encoding: identity``: a compressed event stream would be held back by the
  decompressor, adding latency to every event for bandwidth we do not need on this hop.
- Responses are opened with ``stream=True`` so the proxy can forward events as they arrive;
  callers must ``aclose()`` them.
"""

from __future__ import annotations

import ssl

import httpx

from ..config import Settings

# Not ``anthropic-beta``: betas can change what a call costs (e.g. long-context pricing),
# and the coach can only meter what its price table describes.
FORWARDED_CLIENT_HEADERS = ("anthropic-version",)
POOL_SHARDS = 16


class Upstream:
    def __init__(self, settings: Settings) -> None:
        self.base_url = settings.anthropic_base_url.rstrip("/")
        self._key = settings.anthropic_api_key.get_secret_value()
        self._version = settings.anthropic_version
        self._timeout = httpx.Timeout(
            connect=10.0, read=settings.anthropic_timeout_seconds, write=30.0, pool=10.0
        )
        self._clients: list[httpx.AsyncClient] = []
        self._next = 0

    @property
    def configured(self) -> bool:
        return bool(self._key)

    @property
    def client(self) -> httpx.AsyncClient:
        if not self._clients:
            tls = ssl.create_default_context()  # shared: building one costs ~10 ms of CPU
            self._clients = [
                httpx.AsyncClient(
                    timeout=self._timeout,
                    verify=tls,
                    limits=httpx.Limits(max_connections=None, max_keepalive_connections=32),
                    # The server's environment (proxies, .netrc) must not reroute the API key.
                    trust_env=False,
                )
                for _ in range(POOL_SHARDS)
            ]
        self._next = (self._next + 1) % len(self._clients)
        return self._clients[self._next]

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
        client = self.client
        request = client.build_request(
            "POST", self.base_url + path, content=body, headers=self.headers(client_headers)
        )
        return await client.send(request, stream=True)

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
        clients, self._clients = self._clients, []
        for client in clients:
            await client.aclose()
