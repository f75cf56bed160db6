"""``rlcoach-server`` command line: ``serve`` and ``migrate``.

Design:
- ``serve`` runs uvicorn with the app factory (``--factory``), so each worker process
  builds its own app from the same environment; all state is in the database, so
  ``--workers N`` is safe. Proxy headers are honoured only from ``forwarded_allow_ips``.
- ``serve --dev`` needs no setup: SQLite file, random session secret, dev login, and it
  migrates the database itself before starting.
- ``migrate`` applies the Alembic migrations shipped in the package. It needs only the
  database URL (``--database-url`` or ``RLCOACH_SERVER_DATABASE_URL``), not the secrets
  the server needs, so it can run as a one-shot job before the servers start.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from pydantic import ValidationError

from .config import Settings, dev_settings

DEV_ENV = "RLCOACH_SERVER_DEV_MODE"


def _load_settings(dev: bool) -> Settings:
    try:
        return dev_settings() if dev else Settings()
    except ValidationError as exc:
        # Print what is wrong with the configuration, not a traceback.
        msgs = "; ".join(str(e.get("msg", e)) for e in exc.errors())
        raise SystemExit(f"rlcoach-server: invalid configuration: {msgs}") from None


def cmd_migrate(args: argparse.Namespace) -> int:
    from .migrate import upgrade

    if args.dev:
        url = _load_settings(True).database_url
    else:
        url = args.database_url or os.environ.get("RLCOACH_SERVER_DATABASE_URL", "")
        if not url:
            raise SystemExit(
                "rlcoach-server: set RLCOACH_SERVER_DATABASE_URL or pass --database-url"
            )
    upgrade(url)
    print("database is at the latest revision")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _load_settings(args.dev)
    if args.dev:
        from .migrate import upgrade

        upgrade(settings.database_url)
        # Worker processes rebuild settings from the environment; make them dev too.
        os.environ[DEV_ENV] = "true"
        os.environ.setdefault("RLCOACH_SERVER_DATABASE_URL", settings.database_url)
        os.environ.setdefault("RLCOACH_SERVER_PUBLIC_URL", f"http://{args.host}:{args.port}")
        if args.workers > 1:
            raise SystemExit("--dev runs a single worker (its session secret is per process)")
        print(f"dev server on http://{args.host}:{args.port} (SQLite: {settings.database_url})")
    uvicorn.run(
        "rlcoach_server.main:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_level=settings.log_level.lower(),
        # SIGTERM: stop accepting, let open requests (coach streams) finish this long.
        timeout_graceful_shutdown=settings.graceful_shutdown_seconds or None,
        # Workers configure logging themselves (JSON with request ids, observability.py).
        log_config=None,
        # Uvicorn's access log prints query strings; /device?user_code=... is short-lived
        # but still not something to keep in logs.
        access_log=False,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rlcoach-server", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP server (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--dev", action="store_true", help="SQLite + dev login, no setup")
    serve.set_defaults(func=cmd_serve)
    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--dev", action="store_true", help="migrate the dev SQLite database")
    migrate.add_argument(
        "--database-url", help="database to migrate (default: RLCOACH_SERVER_DATABASE_URL)"
    )
    migrate.set_defaults(func=cmd_migrate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
