"""Which registry the CLI talks to: flags over env over file, and the namespace map."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any  # the live_registry fixture's LiveRegistry (tests/conftest.py)

import httpx
from click.testing import CliRunner, Result

from client.api.client import RegistryClient
from client.cli import cli
from client.commands.context import Context
from client.names import parse_app_id

TEMPLATE = b"Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
METADATA = {"name": "topic", "description": "One topic", "author": "acme"}


def dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def run(tmp_path: Path, *args: str, **env: str) -> Result:
    environment = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"), **env}
    return CliRunner().invoke(cli, list(args), obj=Context(env=environment))


def publish_topic(live_registry: Any) -> None:
    with httpx.Client() as http:
        client = RegistryClient(live_registry.url, live_registry.admin_token, http=http)
        client.publish(parse_app_id("acme/topic"), "1.0.0", template=TEMPLATE, metadata=METADATA)


def test_flag_beats_env_and_env_beats_file(tmp_path: Path, live_registry: Any) -> None:
    publish_topic(live_registry)
    config = tmp_path / "config" / "nestry" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'registry = "{dead_url()}"\n')
    assert run(tmp_path, "versions", "acme/topic").exit_code == 5  # the file's registry is down
    env = {"NESTRY_REGISTRY": live_registry.url}
    assert run(tmp_path, "versions", "acme/topic", **env).exit_code == 0
    flagged = run(tmp_path, "--registry", dead_url(), "versions", "acme/topic", **env)
    assert flagged.exit_code == 5


def test_namespace_map_and_explicit_host(tmp_path: Path, live_registry: Any) -> None:
    publish_topic(live_registry)
    config = tmp_path / "config" / "nestry" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'registry = "{dead_url()}"\n\n[namespaces]\nacme = "{live_registry.url}"\n')
    mapped = run(tmp_path, "versions", "acme/topic")
    assert mapped.exit_code == 0, mapped.output
    assert "1.0.0" in mapped.stdout
    assert run(tmp_path, "versions", "other/topic").exit_code == 5  # not mapped: the default
    host = live_registry.url.removeprefix("http://")
    config.write_text(f'registry = "{dead_url()}"\n')
    explicit = run(tmp_path, "info", f"{host}/acme/topic")
    assert explicit.exit_code == 0, explicit.output
    assert explicit.stdout.startswith("acme/topic@1.0.0")
