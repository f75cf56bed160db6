"""The self-hosting files (Dockerfile, compose.yaml, deploy/) stay consistent with the code.

Docker itself is not run here (no daemon in CI); these checks catch the drift that breaks
a deployment quietly: a misspelt setting, a command the CLI does not have, a body cap at the
proxy different from the server's.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from rlcoach_server.cli import build_parser
from rlcoach_server.config import Settings

SERVER = Path(__file__).resolve().parent.parent
PREFIX = "RLCOACH_SERVER_"


def _setting_names() -> set[str]:
    return {PREFIX + name.upper() for name in Settings.model_fields}


def test_env_example_names_only_real_settings() -> None:
    keys = [
        line.split("=", 1)[0]
        for line in (SERVER / "deploy/.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    ours = [k for k in keys if k.startswith(PREFIX)]
    assert ours and set(ours) <= _setting_names(), set(ours) - _setting_names()


def test_compose_services_and_commands() -> None:
    compose = yaml.safe_load((SERVER / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "redis", "migrate", "server", "caddy"} <= set(services)
    for name in ("migrate", "server"):
        env = services[name]["environment"]
        assert set(env) <= _setting_names()
        build_parser().parse_args(
            [a.replace("${WORKERS:-4}", "4") for a in services[name]["command"]]
        )
    # migrate needs nothing but the database URL
    assert set(services["migrate"]["environment"]) == {PREFIX + "DATABASE_URL"}
    assert services["server"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    grace = int(services["server"]["stop_grace_period"].rstrip("s"))
    assert grace > Settings.model_fields["graceful_shutdown_seconds"].default


def test_dockerfile_runs_the_cli() -> None:
    text = (SERVER / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["rlcoach-server"]' in text
    cmd = re.search(r"^CMD (\[.*\])$", text, re.M)
    assert cmd is not None
    build_parser().parse_args(yaml.safe_load(cmd.group(1)))


def test_proxy_body_caps_match_the_server() -> None:
    coach_mib = Settings.model_fields["coach_max_body_bytes"].default // (1024 * 1024)
    assert f"max_size {coach_mib}MB" in (SERVER / "deploy/Caddyfile").read_text()
    nginx = (SERVER / "deploy/nginx.conf").read_text()
    assert f"client_max_body_size {coach_mib}m;" in nginx
    assert "proxy_buffering off;" in nginx
