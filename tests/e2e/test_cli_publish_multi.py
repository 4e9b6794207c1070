"""Publishing awslabs/realworld-serverless-application (a root and local child templates)."""

from __future__ import annotations

import io
import sys
import tarfile
from pathlib import Path
from typing import Any  # the live_registry fixture's LiveRegistry (tests/conftest.py)

import httpx
from click.testing import CliRunner

from client.cli import cli
from client.commands.context import Context

sys.path.insert(0, str(Path(__file__).parents[1] / "client"))  # the shared sample projects
from publish_samples import realworld

CHILDREN = {
    "Backend": "backend/sam/app/template.yaml",
    "Ops": "ops/sam/app/template.yaml",
    "Website": "static-website/sam/app/template.yaml",
    "Analytics": "analytics/sam/app/template.yaml",
}


def test_realworld_publishes_as_one_self_contained_version(
    tmp_path: Path, live_registry: Any
) -> None:
    template = realworld(tmp_path / "realworld")
    env = {
        "HOME": str(tmp_path),
        "NESTRY_REGISTRY": live_registry.url,
        "NESTRY_TOKEN": live_registry.admin_token,
    }
    result = CliRunner().invoke(
        cli, ["publish", str(template), "-n", "awslabs"], obj=Context(env=env)
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Published awslabs/realworld-serverless-application@1.0.1")

    base = f"{live_registry.url}/v1/apps/awslabs/realworld-serverless-application/versions/1.0.1"
    with httpx.Client() as http:
        document = http.get(base).json()
        bundle = http.get(base + "/bundle").content
        published = http.get(base + "/template").text
    local = {d["logical_id"]: d for d in document["dependencies"] if d["kind"] == "local"}
    assert {k: d["location"] for k, d in local.items()} == CHILDREN  # the registry checked each
    with tarfile.open(fileobj=io.BytesIO(bundle), mode="r:gz") as archive:
        names = set(archive.getnames())
    assert (
        set(CHILDREN.values())
        | {
            "backend/sam/app/api.template.yaml",
            "backend/sam/app/database.template.yaml",
            "backend/target/api.jar",
            "static-website/dist/index.html",
        }
        <= names
    )
    assert "Location: backend/sam/app/template.yaml" in published  # rewritten to the bundle path
    assert document["readme"] == "# realworld\n"


def test_realworld_installs_with_its_children(tmp_path: Path, live_registry: Any) -> None:
    env = {
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "NESTRY_REGISTRY": live_registry.url,
        "NESTRY_TOKEN": live_registry.admin_token,
    }

    def nestry(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args), obj=Context(env=env))
        assert result.exit_code == 0, result.output
        return result.stdout

    nestry("publish", str(realworld(tmp_path / "realworld")), "-n", "awslabs")
    user = tmp_path / "user" / "template.yaml"
    user.parent.mkdir()
    user.write_text("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")
    nestry("add", "awslabs/realworld-serverless-application", "--as", "RealWorld", "-t", str(user))
    nestry("install", "-t", str(user))
    vendored = user.parent / ".nestry/build/apps/awslabs/realworld-serverless-application/1.0.1"
    for child in CHILDREN.values():
        assert (vendored / child).is_file()
    assert (vendored / "backend/sam/app/api.template.yaml").is_file()
