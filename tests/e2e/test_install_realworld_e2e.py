"""awslabs/realworld-serverless-application (a root nesting four local child templates that live
outside its directory) published with ``nestry publish``, nested by a user template and
installed with ``nestry install``, as nested stacks and ``--flatten``ed; the live registry."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from client.cli import cli
from client.commands.context import Context
from client.publish.packing import plan_bundle
from client.template import load_template

sys.path.insert(0, str(Path(__file__).parents[1] / "client"))  # the shared sample projects
from install_samples import lint_errors, sam_translate
from publish_samples import realworld

APP = "awslabs/realworld-serverless-application"
VENDORED = "apps/awslabs/realworld-serverless-application/1.0.1"
CHILDREN = [
    "backend/sam/app/template.yaml",
    "ops/sam/app/template.yaml",
    "static-website/sam/app/template.yaml",
    "analytics/sam/app/template.yaml",
]


@dataclass(frozen=True)
class Project:
    user: Path
    nestry: Callable[..., dict[str, Any]]  # runs the CLI with --json, returns its output

    def install(self, *flags: str) -> tuple[dict[str, Any], Path]:
        report = self.nestry("install", "-t", str(self.user), *flags)
        return report, self.user.parent / ".nestry" / "build" / "template.yaml"


@pytest.fixture
def project(tmp_path: Path, live_registry: Any) -> Project:
    """The app published from its repository layout; a user template nesting it."""
    env = {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "NESTRY_CACHE_DIR": str(tmp_path / "cache"),
        "NESTRY_REGISTRY": live_registry.url,
        "NESTRY_TOKEN": live_registry.admin_token,
    }
    runner = CliRunner()

    def nestry(*args: str) -> dict[str, Any]:
        result = runner.invoke(cli, [*args, "--json"], obj=Context(env=env))
        assert result.exit_code == 0, result.output
        parsed: dict[str, Any] = json.loads(result.stdout)
        return parsed

    nestry("publish", str(realworld(tmp_path / "realworld")), "-n", "awslabs")
    user = tmp_path / "user" / "template.yaml"
    user.parent.mkdir()
    user.write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  RealWorld:\n"
        "    Type: AWS::Serverless::Application\n"
        "    Properties:\n"
        f"      Location:\n        ApplicationId: {APP}\n        SemanticVersion: ^1.0.0\n"
        "      Parameters:\n        Stage: prod\n"
    )
    return Project(user, nestry)


def test_installs_as_nested_stacks_whose_local_children_resolve(project: Project) -> None:
    report, root = project.install()
    vendored = root.parent / VENDORED / "template.yaml"
    assert f"{VENDORED}/template.yaml" in report["files"]
    stack = load_template(root.read_text())["Resources"]["RealWorld"]
    assert stack["Properties"]["TemplateURL"] == f"{VENDORED}/template.yaml"
    children = plan_bundle(vendored, load_template(vendored.read_text()))  # raises if missing
    assert set(CHILDREN) <= set(children.files)
    assert "backend/target/api.jar" in children.files  # a grandchild's CodeUri, too
    assert lint_errors(root) == set()
    assert lint_errors(vendored) == set()
    assert sam_translate(root)["Resources"]["RealWorld"]["Type"] == "AWS::CloudFormation::Stack"


def test_flatten_keeps_the_local_children_nested_from_the_build_directory(project: Project) -> None:
    report, root = project.install("--flatten")
    document = load_template(root.read_text())
    locations = {
        name: resource["Properties"]["Location"] for name, resource in document["Resources"].items()
    }
    assert locations == {
        "RealWorldBackend": f"{VENDORED}/backend/sam/app/template.yaml",
        "RealWorldOps": f"{VENDORED}/ops/sam/app/template.yaml",
        "RealWorldWebsite": f"{VENDORED}/static-website/sam/app/template.yaml",
        "RealWorldAnalytics": f"{VENDORED}/analytics/sam/app/template.yaml",
    }
    assert {f"{VENDORED}/{child}" for child in CHILDREN} <= set(plan_bundle(root, document).files)
    assert report["flatten"] == {"settled": {}, "dropped": []}
    assert lint_errors(root) == set()
    translated = sam_translate(root)["Resources"]
    assert translated["RealWorldBackend"]["Type"] == "AWS::CloudFormation::Stack"
