"""Server settings, read from ``RLCOACH_SERVER_*`` environment variables.

Design:
- One immutable ``Settings`` object is built at start-up and handed to ``create_app``;
  nothing reads the environment after that, so tests build their own ``Settings``.
- Secrets are refused when empty or obviously placeholders ("changeme", "xxx", ...)
  unless ``dev_mode`` is on. Failing at start-up beats signing sessions with "changeme".
- Every setting is documented in ``docs/server.md``; keep the two in sync.
"""

from __future__ import annotations

import os
import secrets
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values people paste from examples. Compared case-insensitively after stripping.
_PLACEHOLDERS = {
    "",
    "changeme",
    "change-me",
    "change_me",
    "secret",
    "xxx",
    "todo",
    "placeholder",
    "your-secret-here",
    "sk_test_xxx",
    "sk_live_xxx",
    "whsec_xxx",
    "dev",
    "test",
}

DEV_SECRET_KEY_BYTES = 32
# The health check's own connection, so /healthz answers while the request pool is busy.
HEALTH_POOL_SIZE = 1


def is_placeholder(value: str | None) -> bool:
    """True when ``value`` is empty or looks like an example value rather than a secret."""
    if value is None:
        return True
    v = value.strip().lower()
    return v in _PLACEHOLDERS or v.startswith("<") or "replace" in v or "placeholder" in v


class Settings(BaseSettings):
    """All configuration of the server. See docs/server.md for the meaning of each field."""

    model_config = SettingsConfigDict(
        env_prefix="RLCOACH_SERVER_", env_file=None, extra="ignore", frozen=True
    )

    # --- core ---
    dev_mode: bool = False
    database_url: str = "sqlite:///./rlcoach-server.db"
    # Public base URL of this server as the user's browser and the CLI reach it
    # (scheme + host [+ port], no trailing slash). Used in verification_uri and redirects.
    public_url: str = "http://127.0.0.1:8000"
    # Signs the session cookie (upstream-login state, CSRF token) on the /device pages.
    secret_key: SecretStr = SecretStr("")
    # Secure flag on the session cookie; off automatically in dev mode (plain http).
    session_cookie_secure: bool = True
    # Proxies whose X-Forwarded-For/-Proto are trusted (uvicorn's forwarded_allow_ips).
    forwarded_allow_ips: str = "127.0.0.1"
    log_level: str = "INFO"
    # "json": one JSON object per line with the request id (log shippers); "text": terminal.
    log_format: Literal["json", "text"] = "json"
    # Seconds `serve` lets open requests (coach streams) finish after SIGTERM before closing
    # them; keep it below your orchestrator's kill timeout (compose: stop_grace_period).
    graceful_shutdown_seconds: int = Field(default=60, ge=0)

    # --- database connection budget (per worker process; see docs/server.md) ---
    # Each worker opens at most db_pool_size + coach_db_pool_size + 1 (health check)
    # PostgreSQL connections: 8 + 10 + 1 = 19, so 4 workers (76) fit under PostgreSQL's
    # default max_connections=100 (97 for non-superusers) with room for migrate and psql.
    # Pools never overflow; a request waits (on the event loop, never in a thread) for one
    # of db_pool_size slots and answers 503 + Retry-After when none frees up in time.
    db_pool_size: int = Field(default=8, ge=1)
    db_slot_wait_seconds: float = Field(default=1.0, gt=0)
    # Concurrent requests one bearer token may have in flight per worker; more answer 429 at
    # once, so one account cannot queue up the whole worker.
    requests_in_flight_per_token: int = Field(default=8, ge=1)
    # Request bodies larger than this answer 413 (bodylimit.py); /coach/ has its own cap.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)

    # --- OAuth device flow (RFC 8628) and tokens ---
    # client_id -> human-readable name shown on the approval page. Public clients (no secret).
    oauth_clients: dict[str, str] = Field(default_factory=lambda: {"rlcoach-cli": "rlcoach CLI"})
    device_code_ttl_seconds: int = 600
    device_poll_interval_seconds: int = 5
    access_token_ttl_seconds: int = 3600
    refresh_token_ttl_seconds: int = 60 * 60 * 24 * 60
    # Wrong user codes per signed-in account per minute before /device answers 429 (per
    # client IP: 5x this).
    user_code_failures_per_minute: int = 10
    # How often each worker prunes expired tokens, device codes and rate-limit events.
    maintenance_interval_seconds: float = Field(default=3600.0, gt=0)
    # Device codes one client IP may start per hour (POST /oauth/device/code); then 429.
    device_codes_per_ip_per_hour: int = Field(default=20, ge=1)

    # --- upstream login providers (authlib) ---
    discord_client_id: str = ""
    discord_client_secret: SecretStr = SecretStr("")
    discord_authorize_url: str = "https://discord.com/oauth2/authorize"
    discord_token_url: str = "https://discord.com/api/oauth2/token"  # noqa: S105
    discord_api_base_url: str = "https://discord.com/api/"
    google_client_id: str = ""
    google_client_secret: SecretStr = SecretStr("")
    google_server_metadata_url: str = "https://accounts.google.com/.well-known/openid-configuration"

    # --- Stripe billing ---
    stripe_secret_key: SecretStr = SecretStr("")
    stripe_webhook_secret: SecretStr = SecretStr("")
    stripe_price_id_pro: str = ""
    # Override only to point the SDK at a fake/mock Stripe (tests, stripe-mock).
    stripe_api_base: str | None = None
    stripe_webhook_tolerance_seconds: int = 300
    # past_due keeps Pro for this long after the subscription first went past_due.
    past_due_grace_seconds: int = 60 * 60 * 24 * 7
    billing_success_url: str = ""
    billing_cancel_url: str = ""
    billing_portal_return_url: str = ""

    # coach
    # The server's own Anthropic key; clients authenticate with their rlcoach access token.
    # Empty: the coach endpoints answer 503 (the rest of the server works without it).
    anthropic_api_key: SecretStr = SecretStr("")
    anthropic_base_url: str = "https://api.anthropic.com"
    anthropic_version: str = "2023-06-01"
    anthropic_timeout_seconds: float = 600.0
    # Models clients may ask for; each must have an entry in coach_prices.
    coach_models: list[str] = Field(
        default_factory=lambda: ["claude-sonnet-4-6", "claude-haiku-4-5"]
    )
    # US$ per million tokens (= cost units per token; 1 cost unit = US$0.000001), from
    # platform.claude.com/docs/en/about-claude/pricing (checked 2026-11-26). cache_write is
    # the 5-minute write (1.25x input), cache_write_1h the 1-hour write (2x input).
    coach_prices: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {
            "claude-sonnet-4-6": {
                "input": 3.0,
                "output": 15.0,
                "cache_write": 3.75,
                "cache_write_1h": 6.0,
                "cache_read": 0.30,
            },
            "claude-haiku-4-5": {
                "input": 1.0,
                "output": 5.0,
                "cache_write": 1.25,
                "cache_write_1h": 2.0,
                "cache_read": 0.10,
            },
        }
    )
    # Coach request bodies (a conversation with tool results) larger than this answer 413.
    coach_max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    # Requests asking for more output tokens are clamped down to this.
    coach_max_tokens: int = 4096
    # Monthly allowance per tier, in cost units (micro-dollars): $0.50 free, $10 pro.
    coach_allowances: dict[str, int] = Field(
        default_factory=lambda: {"free": 500_000, "pro": 10_000_000}
    )
    # Coach requests (messages + count_tokens) per user per window.
    coach_rate_limit_requests: int = 30
    coach_rate_limit_window_seconds: int = 60
    # redis://127.0.0.1:6379/0 to count rate windows in Redis; empty counts in the database.
    coach_redis_url: str = ""
    # True: reserve with upstream count_tokens (a round trip); False: a local upper bound.
    coach_count_tokens_upstream: bool = False
    # Database connections kept open for the coach's metering (its own pool: a proxied call
    # does two short transactions, and opening a PostgreSQL connection costs milliseconds).
    # Part of the per-worker budget above; the pool never overflows.
    coach_db_pool_size: int = Field(default=10, ge=1)
    # Seconds between a worker's heartbeats and sweeps of calls left pending by dead workers
    # (a worker silent for 4 intervals is dead).
    coach_upkeep_interval_seconds: float = 30.0

    @model_validator(mode="after")
    def _check_secrets(self) -> Settings:
        if self.dev_mode:
            if is_placeholder(self.secret_key.get_secret_value()):
                # Random per process: dev sessions do not survive a restart, which is fine.
                object.__setattr__(
                    self, "secret_key", SecretStr(secrets.token_urlsafe(DEV_SECRET_KEY_BYTES))
                )
            return self
        problems: list[str] = []
        key = self.secret_key.get_secret_value()
        if is_placeholder(key) or len(key) < 32:
            problems.append("RLCOACH_SERVER_SECRET_KEY must be a random string of >= 32 chars")
        for name in ("stripe_secret_key", "stripe_webhook_secret"):
            if is_placeholder(getattr(self, name).get_secret_value()):
                problems.append(f"RLCOACH_SERVER_{name.upper()} is empty or a placeholder")
        if not self.stripe_price_id_pro:
            problems.append("RLCOACH_SERVER_STRIPE_PRICE_ID_PRO is empty")
        for prov in ("discord", "google"):
            cid = getattr(self, f"{prov}_client_id")
            secret = getattr(self, f"{prov}_client_secret").get_secret_value()
            if cid and is_placeholder(secret):
                problems.append(
                    f"RLCOACH_SERVER_{prov.upper()}_CLIENT_SECRET is empty or a placeholder"
                )
        if not self.enabled_providers:
            problems.append("configure at least one login provider (Discord or Google)")
        if not self.public_url.startswith("https://"):
            # Session cookies are Secure and tokens travel in the clear over http.
            problems.append("RLCOACH_SERVER_PUBLIC_URL must be https:// outside dev mode")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # --- derived values ---
    @property
    def enabled_providers(self) -> list[str]:
        """Upstream providers with a client id configured, in display order."""
        return [p for p in ("discord", "google") if getattr(self, f"{p}_client_id")]

    @property
    def db_connections_per_worker(self) -> int:
        """The most PostgreSQL connections one worker process opens (enforced by the pools)."""
        return self.db_pool_size + self.coach_db_pool_size + HEALTH_POOL_SIZE

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def cookie_secure(self) -> bool:
        return self.session_cookie_secure and not self.dev_mode

    def url(self, path: str) -> str:
        return self.public_url.rstrip("/") + path

    def billing_url(self, kind: str) -> str:
        """Where Stripe sends the browser back to; defaults to our plain /billing/done page."""
        explicit: str = getattr(self, f"billing_{kind}_url")
        return explicit or self.url("/billing/done")


def dev_settings(**overrides: Any) -> Settings:
    """Settings for ``rlcoach-server serve --dev``: a local SQLite file and the dev login."""
    values: dict[str, Any] = {"dev_mode": True}
    # An explicit RLCOACH_SERVER_DATABASE_URL still wins (init kwargs would override it).
    if not os.environ.get("RLCOACH_SERVER_DATABASE_URL"):
        values["database_url"] = "sqlite:///./rlcoach-server-dev.db"
    values.update(overrides)
    return Settings(**values)
