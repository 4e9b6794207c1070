"""The CLI shell without a registry: dry runs, usage errors, exit codes, JSON mode."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from corpus import CORPUS

from client.api.client import RegistryError, RegistryUnreachableError
from client.cli import cli
from client.commands.context import Context
from client.commands.failures import failure_from
from client.commands.output import Output
from client.errors import InvalidRangeError, NestryError
from client.install.errors import DigestMismatchError, FrozenLockfileError

JANITOR = CORPUS / "lumigo-io__SAR-Lambda-Janitor__template.yaml"


def run(tmp_path: Path, *args: str, stdin: str | None = None, **env: str) -> Result:
    environment = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path), **env}
    return CliRunner().invoke(cli, list(args), input=stdin, obj=Context(env=environment))


@pytest.fixture
def janitor(tmp_path: Path) -> Path:
    app = tmp_path / "janitor"
    app.mkdir()
    shutil.copyfile(JANITOR, app / "template.yaml")
    (app / "README.md").write_text("# Lambda Janitor\n")
    (app / "LICENSE.txt").write_text("MIT\n")
    return app / "template.yaml"


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = run(tmp_path, "--help")
    assert result.exit_code == 0
    for command in (
        "login",
        "logout",
        "whoami",
        "publish",
        "search",
        "info",
        "versions",
        "add",
        "install",
        "update",
        "outdated",
        "tree",
        "yank",
        "unyank",
        "deprecate",
        "dist-tag",
    ):
        assert f"  {command} " in result.output


def test_publish_without_metadata_or_flags_explains(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text("Resources:\n  T:\n    Type: AWS::SNS::Topic\n")
    result = run(tmp_path, "publish", str(tmp_path / "template.yaml"), "-n", "acme")
    assert result.exit_code == 1
    assert "Error: " in result.stderr and "Name is required" in result.stderr
    assert "hint: No AWS::ServerlessRepo::Application: pass --name" in result.stderr
    assert "Traceback" not in result.output


def test_missing_template_is_a_clear_error(tmp_path: Path) -> None:
    result = run(tmp_path, "publish", str(tmp_path / "nope.yaml"), "--dry-run", "-n", "acme")
    assert result.exit_code == 1
    assert "cannot read" in result.stderr and "Traceback" not in result.output


def test_no_registry_configured(tmp_path: Path) -> None:
    result = run(tmp_path, "search", "janitor")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: no registry configured",
        "hint: Run `nestry login --registry URL` or set NESTRY_REGISTRY.",
    ]


def test_bad_application_id_is_exit_2(tmp_path: Path) -> None:
    result = run(tmp_path, "info", "Not An Id", NESTRY_REGISTRY="http://127.0.0.1:9")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: invalid application id")


def test_bad_range_is_exit_2(tmp_path: Path) -> None:
    result = run(tmp_path, "info", "acme/app@>>1", NESTRY_REGISTRY="http://127.0.0.1:9")
    assert result.exit_code == 2
    assert "hint: Use an npm-style range" in result.stderr


def test_yank_needs_an_exact_version(tmp_path: Path) -> None:
    result = run(tmp_path, "yank", "acme/app@^1.0.0", NESTRY_REGISTRY="http://127.0.0.1:9")
    assert result.exit_code == 2
    assert "invalid version" in result.stderr


def test_json_mode_errors_are_json_on_stdout(tmp_path: Path) -> None:
    result = run(tmp_path, "search", "x", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "error": {
            "code": "no_registry",
            "message": "no registry configured",
            "hint": "Run `nestry login --registry URL` or set NESTRY_REGISTRY.",
        }
    }


def test_login_without_a_token_on_stdin(tmp_path: Path) -> None:
    result = run(tmp_path, "login", "--registry", "http://127.0.0.1:9", "--token-stdin", stdin="\n")
    assert result.exit_code == 2
    assert "Error: no token given" in result.stderr


def test_add_to_a_missing_template(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "add",
        "acme/app",
        "-t",
        str(tmp_path / "none.yaml"),
        NESTRY_REGISTRY="http://127.0.0.1:9",
    )
    assert result.exit_code == 1
    assert (
        "does not exist" in result.stderr
        and "hint: Pass the template with -t PATH." in result.stderr
    )


def test_dist_tag_refuses_a_range_as_tag(tmp_path: Path) -> None:
    result = run(
        tmp_path, "dist-tag", "add", "acme/app@1.0.0", "^1", NESTRY_REGISTRY="http://127.0.0.1:9"
    )
    assert result.exit_code == 2
    assert "not a dist-tag name" in result.stderr


def test_progress_shows_on_a_terminal_only(capsys: pytest.CaptureFixture[str]) -> None:
    with Output(as_json=False, interactive=True).progress("Packing"):
        pass
    with Output(as_json=True, interactive=True).progress("Quiet"):
        pass
    with Output(as_json=False, interactive=False).progress("Piped"):
        pass
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "Packing... done\n")


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (DigestMismatchError("bytes differ"), 6),
        (RegistryUnreachableError("down"), 5),
        (RegistryError("no", status=401), 4),
        (RegistryError("no", status=403), 4),
        (RegistryError("gone", status=404, code="app_not_found"), 3),
        (InvalidRangeError("bad"), 2),
        (FrozenLockfileError("differs"), 1),
        (RegistryError("boom", status=500), 1),
    ],
)
def test_exit_codes(error: NestryError, code: int) -> None:
    failure = failure_from(error)
    assert failure.exit_code == code
    assert failure.hint == error.hint and failure.hint
