"""``nestry install`` refuses a child whose local paths leave its own files (issue 13, item 2).

A registry you do not run may be hostile: it may serve a template with
``CodeUri: ../../../../home/me/.aws`` that a registry of ours refuses at publish. To stand for
one, the live registry's publish check is switched off here; install must still refuse, with
exit code 6 and the path named, and leave the build directory and lockfile as they were.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result
from install_support import user_template

from client.api.client import RegistryClient
from client.cli import cli
from client.commands.context import Context
from client.names import parse_app_id
from registry.publish import checks

APP = "evil/layer"
METADATA = {"name": "layer", "description": "d", "author": "a"}
GOOD = (
    "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
    "      CodeUri: src/\n      Handler: a.b\n      Runtime: python3.12\n"
)


def hostile(kind: str, key: str, path: str) -> bytes:
    return (
        f"Resources:\n  It:\n    Type: {kind}\n    Properties:\n      {key}: '{path}'\n"
    ).encode()


def bundle() -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        info = tarfile.TarInfo("src/app.py")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"x=1"))
    return out.getvalue()


def nestry(live: Any, tmp_path: Path, *args: str) -> Result:
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path),
        "NESTRY_REGISTRY": live.url,
        "NESTRY_TOKEN": live.admin_token,
        "NESTRY_CACHE_DIR": str(tmp_path / "cache"),
    }
    return CliRunner().invoke(cli, list(args), obj=Context(env=env))


def publish(live: Any, version: str, template: bytes) -> None:
    with httpx.Client(timeout=30) as http:
        client = RegistryClient(live.url, live.admin_token, http=http)
        status, _ = client.publish(
            parse_app_id(APP), version, template=template, metadata=METADATA, bundle=bundle()
        )
    assert status == 201


def snapshot(root: Path) -> dict[str, bytes]:
    """The project: template, lockfile and build directory, byte for byte."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize(
    ("kind", "key", "path"),
    [
        ("AWS::Serverless::LayerVersion", "ContentUri", "../../../../../home/me/.aws"),
        ("AWS::Serverless::Function", "CodeUri", "/home/me/.ssh"),
        ("AWS::Lambda::Function", "Code", "C:\\Users\\me"),
        ("AWS::StepFunctions::StateMachine", "DefinitionS3Location", "elsewhere.json"),
    ],
)
def test_install_refuses_a_child_whose_paths_leave_it(
    live_registry: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    key: str,
    path: str,
) -> None:
    publish(live_registry, "1.0.0", GOOD.encode())
    project = tmp_path / "project"
    project.mkdir()
    template = project / "template.yaml"
    template.write_text(user_template(("Layer", APP, "^1.0.0", "")))
    first = nestry(live_registry, tmp_path, "install", "-t", str(template))
    assert first.exit_code == 0, first.output
    assert (project / ".nestry" / "build" / "template.yaml").is_file()
    before = snapshot(project)

    monkeypatch.setattr(checks, "_check_local_paths", lambda *args: None)  # a hostile registry
    publish(live_registry, "1.0.1", hostile(kind, key, path))
    template.write_text(user_template(("Layer", APP, "1.0.1", "")))
    before["template.yaml"] = template.read_bytes()
    refused = nestry(live_registry, tmp_path, "install", "-t", str(template))
    assert refused.exit_code == 6, refused.output
    assert repr(path) in refused.output
    assert "evil/layer@1.0.1" in refused.output
    assert snapshot(project) == before


def test_a_childs_readme_outside_its_files_is_not_written_into_the_build(
    live_registry: Any, tmp_path: Path
) -> None:
    """Publish accepts ``ReadmeUrl: ../...`` (real SAR templates name ``../Readme.md``; the
    file is uploaded beside the template), but ``sam package`` would upload what the vendored
    child names from the consumer's disk: install writes the child without that path, keeping
    the rest of its metadata, and leaves a readme inside the app byte for byte."""
    leaving = "../../../../../home/me/.aws/credentials"
    sar = (
        "Metadata:\n  AWS::ServerlessRepo::Application:\n    Name: layer\n"
        "    Description: d\n    Author: a\n"
    )
    publish(live_registry, "1.0.0", f"{sar}    ReadmeUrl: '{leaving}'\n{GOOD}".encode())
    inside = f"{sar}    ReadmeUrl: src/app.py\n{GOOD}".encode()
    publish(live_registry, "1.0.1", inside)
    project = tmp_path / "project"
    project.mkdir()
    template = project / "template.yaml"
    template.write_text(user_template(("Layer", APP, "1.0.0", ""), ("Kept", APP, "1.0.1", "")))
    result = nestry(live_registry, tmp_path, "install", "-t", str(template))
    assert result.exit_code == 0, result.output
    apps = project / ".nestry" / "build" / "apps" / "evil" / "layer"
    written = (apps / "1.0.0" / "template.yaml").read_text()
    assert leaving not in written and "ReadmeUrl" not in written
    assert "Name: layer" in written and "CodeUri: src/" in written
    assert (apps / "1.0.1" / "template.yaml").read_bytes() == inside
