"""``client.template.local_paths``: which local paths a template names, and the rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from client.publish.packing import plan_bundle
from client.template import load_template
from client.template.local_paths import escape, escapes, local_paths

FILES = frozenset({"src/app.py", "sam/app/template.yaml", "backend/handler.py"})


@pytest.mark.parametrize(
    ("path", "template_dir", "reason"),
    [
        ("src", "", None),
        ("src/", "", None),
        ("./src/app.py", "", None),
        (".", "", None),
        ("src\\app.py", "", None),
        ("../../backend", "sam/app", None),
        ("../../../x", "sam/app", "leaves"),
        ("src/../../etc", "", "leaves"),
        ("..", "", "leaves"),
        ("..\\..\\x", "", "leaves"),
        ("/etc/passwd", "", "absolute"),
        ("\\\\server\\share", "", "absolute"),
        ("~/.aws", "", "absolute"),
        ("C:\\Users\\me", "", "drive"),
        ("c:relative", "", "drive"),
        ("lib", "", "not a file"),
        ("sr", "", "not a file"),
        ("src/app.py\x00", "", "NUL"),
    ],
)
def test_the_rule(path: str, template_dir: str, reason: str | None) -> None:
    found = escape(path, template_dir, FILES)
    if reason is None:
        assert found is None
    else:
        assert found is not None and reason in found


def test_without_a_bundle_only_leaving_the_app_is_refused() -> None:
    assert escape("src", "", None) is None
    assert escape("../src", "", None) is not None
    assert escape("src", "", frozenset()) is not None


DOCUMENT = """
Globals:
  Function:
    CodeUri: ../shared
Metadata:
  AWS::ServerlessRepo::Application:
    ReadmeUrl: README.md
    LicenseUrl: https://example.com/LICENSE
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/key.zip
  Raw:
    Type: AWS::Lambda::Function
    Properties:
      Code: {S3Bucket: b, S3Key: k}
  Job:
    Type: AWS::Glue::Job
    Properties:
      Command: {Name: glueetl, ScriptLocation: scripts/job.py}
  Gql:
    Type: AWS::Serverless::GraphQLApi
    Properties:
      SchemaUri: schema.graphql
      Functions:
        One: {CodeUri: fn/one.js}
      Resolvers:
        Query:
          Get: {CodeUri: resolvers/get.js}
  Child:
    Type: AWS::Serverless::Application
    Properties:
      Location: child/template.yaml
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      Fn::Transform: {Name: AWS::Include, Parameters: {Location: snippets/topic.yaml}}
"""


def test_every_place_is_found_and_remote_ones_are_not() -> None:
    found = {(p.where, p.value, p.document) for p in local_paths(load_template(DOCUMENT))}
    assert found == {
        ("Globals.Function.CodeUri", "../shared", False),
        ("Metadata.AWS::ServerlessRepo::Application.ReadmeUrl", "README.md", True),
        ("Resources.Job.Properties.Command.ScriptLocation", "scripts/job.py", False),
        ("Resources.Gql.Properties.SchemaUri", "schema.graphql", False),
        ("Resources.Gql.Properties.Functions.One.CodeUri", "fn/one.js", False),
        ("Resources.Gql.Properties.Resolvers.Query.Get.CodeUri", "resolvers/get.js", False),
        ("Resources.Child.Properties.Location", "child/template.yaml", False),
        (
            "Resources.Topic.Properties.Fn::Transform.Parameters.Location",
            "snippets/topic.yaml",
            False,
        ),
    }


def test_a_readme_need_not_be_in_the_bundle_but_must_not_be_absolute() -> None:
    inside = "Metadata:\n  AWS::ServerlessRepo::Application:\n    ReadmeUrl: README.md\n"
    assert escapes(load_template(inside + "Resources: {}\n"), "", None) == []
    above = inside.replace("README.md", "../Readme.md")  # as real SAR templates do
    assert escapes(load_template(above + "Resources: {}\n"), "", None) == []
    outside = inside.replace("README.md", "/home/me/.aws/credentials")
    [(local, reason)] = escapes(load_template(outside + "Resources: {}\n"), "", None)
    assert local.document and "absolute" in reason


def test_publish_packs_every_place_the_registry_checks(tmp_path: Path) -> None:
    """``nestry publish`` bundles what the registry will look for: plain CloudFormation code
    paths too, so a template the registry accepts is one publish can send."""
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "index.js").write_text("exports.h = 1\n")
    (tmp_path / "machine.json").write_text("{}\n")
    (tmp_path / "README.md").write_text("# readme\n")
    template = tmp_path / "template.yaml"
    template.write_text(
        "Metadata:\n  AWS::ServerlessRepo::Application:\n    ReadmeUrl: README.md\n"
        "Resources:\n"
        "  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code: code\n"
        "  Sm:\n    Type: AWS::StepFunctions::StateMachine\n"
        "    Properties:\n      DefinitionS3Location: machine.json\n"
    )
    plan = plan_bundle(template, load_template(template.read_bytes()))
    assert sorted(plan.files) == ["code/index.js", "machine.json"]
    files = frozenset(plan.files)
    assert escapes(load_template(template.read_bytes()), "", files) == []
