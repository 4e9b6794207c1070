"""Issue 14's "misleading messages": what the real ``nestry`` says against a real registry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from test_cli_e2e import Nestry, home, janitor_dir, login, nestry  # noqa: F401 - fixtures

NESTRY = Path(sys.executable).parent / "nestry"


def test_refusals_say_what_they_are(nestry: Nestry, live_registry: Any, tmp_path: Path) -> None:
    login(nestry, live_registry)
    nestry("publish", str(janitor_dir(tmp_path / "janitor")), "-n", "lumigo")
    parent = tmp_path / "parent" / "template.yaml"
    parent.parent.mkdir()
    parent.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  J:\n"
        "    Type: AWS::Serverless::Application\n    Properties:\n      Location:\n"
        "        ApplicationId: lumigo/lambda-janitor\n        SemanticVersion: '^1'\n"
    )
    flags = ["--name", "parent", "--description", "d", "--author", "a", "--version", "1.0.0"]
    nestry("publish", str(parent), "-n", "lumigo", *flags)
    refused = nestry("delete", "lumigo/lambda-janitor", "--yes", expect=1)
    assert "immutable" not in refused.stderr
    assert "hint: Other applications nest it" in refused.stderr

    nestry("namespace", "create", "acme")
    nobody = nestry("namespace", "add-member", "acme", "nobody", expect=3)
    assert "no user 'nobody'" in nobody.stderr
    assert "hint: The user must exist on the registry first" in nobody.stderr
    assert "version" not in nobody.stderr.split("hint:")[1]

    no_version = nestry("publish", str(parent), "-n", "acme", *flags[:6], expect=1)
    assert "no version to publish\n" in no_version.stderr
    assert "hint: Pass --version, or set SemanticVersion" in no_version.stderr


def test_urls_help_and_rate_limits(nestry: Nestry, live_registry: Any) -> None:
    token = live_registry.admin_token
    with_v1 = nestry("--registry", f"{live_registry.url}/v1/", "--token", token, "whoami")
    assert with_v1.stdout == f"admin on {live_registry.url}\n"  # the API prefix is dropped
    login(nestry, live_registry)
    short = nestry("outdated", "-h")
    assert "Usage: " in short.stdout and "references to install" not in short.stdout
    for command in ("outdated", "tree"):
        assert (
            "-t, --template FILE  Your template (default: template.yaml"
            in nestry(command, "--help").stdout
        )
    assert "``" not in nestry("token", "revoke", "--help").stdout
    limited = None
    for _ in range(12):
        limited = nestry("whoami", expect=None, NESTRY_TOKEN="nst_wrong")
        if "rate-limited" in limited.stderr:
            break
    assert limited is not None and "Error: rate-limited by the registry" in limited.stderr
    assert "hint: The registry is rate-limiting this address; retry in " in limited.stderr
    assert limited.exit_code == 7  # README's exit codes: rate-limited, not "authentication"


CHILD = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
"""


def test_errors_in_a_child_template_name_the_child(
    nestry: Nestry, live_registry: Any, tmp_path: Path
) -> None:
    login(nestry, live_registry)
    parent = tmp_path / "app" / "template.yaml"
    child = tmp_path / "app" / "child" / "template.yaml"
    child.parent.mkdir(parents=True)
    child.write_text(CHILD)
    parent.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Child:\n"
        "    Type: AWS::Serverless::Application\n    Properties:\n"
        "      Location: child/template.yaml\n"
    )
    flags = [
        "-n",
        "acme",
        "--name",
        "p",
        "--description",
        "d",
        "--author",
        "a",
        "--version",
        "1.0.0",
    ]
    missing = nestry("publish", str(parent), *flags, expect=1)
    named = os.path.realpath(child)
    assert f"Error: {named}: Resources/Fn/Properties/CodeUri: 'src/' does not exist" in (
        missing.stderr
    )

    (child.parent / "src").mkdir()
    (child.parent / "grand").mkdir()
    child.write_text(
        CHILD + "  Grand:\n    Type: AWS::Serverless::Application\n"
        "    Properties:\n      Location: grand\n"
    )
    folder = nestry("publish", str(parent), *flags, expect=1)
    assert (
        f"Error: {named}: Resources/Grand/Properties/Location: 'grand' is not a template file"
        in folder.stderr
    )


def test_a_closed_pipe_ends_quietly(live_registry: Any, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "NESTRY_REGISTRY": live_registry.url,
        "NESTRY_TOKEN": live_registry.admin_token,
    }
    process = subprocess.Popen(
        [str(NESTRY), "whoami"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before nestry writes a byte (`| head -0`)
    with process.stderr:
        errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert errors == ""
