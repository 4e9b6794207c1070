"""CLI failures against a real registry: one-line message, hint, exit code, never a traceback."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from typing import Any  # the live_registry fixture's LiveRegistry (tests/conftest.py)

from click.testing import CliRunner, Result
from corpus import CORPUS

from client.cli import cli
from client.commands.context import Context


def run(tmp_path: Path, *args: str, **env: str) -> Result:
    environment = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"), **env}
    result = CliRunner().invoke(cli, list(args), obj=Context(env=environment))
    assert "Traceback" not in result.output
    assert result.stdout == ""  # failures print nothing on stdout in human mode
    return result


def closed_port() -> int:
    """A port nothing listens on: bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_registry_down_is_exit_5(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    result = run(tmp_path, "search", "x", NESTRY_REGISTRY=url)
    assert result.exit_code == 5
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"Error: cannot reach the registry at {url}/v1/apps")
    assert (
        lines[1]
        == "hint: Check the registry URL (nestry whoami shows it) and that the registry is running."
    )


def test_login_to_a_registry_that_is_down(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    result = run(tmp_path, "login", "--registry", url, NESTRY_TOKEN="nst_x")
    assert result.exit_code == 5
    assert not (tmp_path / "config" / "nestry" / "config.toml").exists()  # nothing saved


def test_bad_token_is_exit_4(tmp_path: Path, live_registry: Any) -> None:
    env = {"NESTRY_REGISTRY": live_registry.url, "NESTRY_TOKEN": "nst_not-a-real-token"}
    result = run(tmp_path, "whoami", **env)
    assert result.exit_code == 4
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("Error: ")
    assert (
        lines[1] == "hint: Log in again with `nestry login --registry URL` (or check NESTRY_TOKEN)."
    )
    login = run(tmp_path, "login", "--registry", live_registry.url, **env)
    assert login.exit_code == 4
    assert not (tmp_path / "config" / "nestry" / "config.toml").exists()


def test_unknown_app_is_exit_3(tmp_path: Path, live_registry: Any) -> None:
    env = {"NESTRY_REGISTRY": live_registry.url}
    for args in (
        ("versions", "acme/nothing"),
        ("info", "acme/nothing"),
        ("info", "acme/nothing@^1"),
    ):
        result = run(tmp_path, *args, **env)
        assert result.exit_code == 3, result.output
        lines = result.stderr.splitlines()
        assert len(lines) == 2 and lines[0].startswith("Error: ") and "acme/nothing" in lines[0]
        assert lines[1].startswith("hint: ")


def test_add_of_unknown_app_leaves_the_template_alone(tmp_path: Path, live_registry: Any) -> None:
    template = tmp_path / "template.yaml"
    template.write_text("Resources:\n  T:\n    Type: AWS::SNS::Topic\n")
    result = run(
        tmp_path, "add", "acme/nothing", "-t", str(template), NESTRY_REGISTRY=live_registry.url
    )
    assert result.exit_code == 3
    assert template.read_text() == "Resources:\n  T:\n    Type: AWS::SNS::Topic\n"


def test_publish_without_token_and_changed_bytes(tmp_path: Path, live_registry: Any) -> None:
    app = tmp_path / "app"
    app.mkdir()
    shutil.copyfile(CORPUS / "lumigo-io__SAR-Lambda-Janitor__template.yaml", app / "template.yaml")
    (app / "README.md").write_text("r\n")
    (app / "LICENSE.txt").write_text("l\n")
    args = ("publish", str(app / "template.yaml"), "-n", "lumigo")
    anonymous = run(tmp_path, *args, NESTRY_REGISTRY=live_registry.url)
    assert anonymous.exit_code == 4
    env = {"NESTRY_REGISTRY": live_registry.url, "NESTRY_TOKEN": live_registry.admin_token}
    first = CliRunner().invoke(cli, list(args), obj=Context(env={"HOME": str(tmp_path), **env}))
    assert first.exit_code == 0, first.output
    with (app / "template.yaml").open("a") as template:
        template.write("# changed after publishing\n")
    conflict = run(tmp_path, *args, **env)
    assert conflict.exit_code == 1
    assert (
        conflict.stderr.splitlines()[1]
        == "hint: Published versions are immutable: publish a new version instead."
    )
