"""Where install puts a child's template and code, nested or ``--flatten``ed: every local path
in the build must point at a file that is there (a static in-memory registry stands in).

SAM's translator refuses local code paths until ``sam build`` packages them, so cfn-lint (which
reads local nested templates, E3043) is the judge here."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from install_fakes import URL, FakeRegistry, factory
from install_samples import lint_errors

from client.install.cache import Cache
from client.install.errors import ResolutionError
from client.install.pipeline import InstallOptions, install
from client.install.report import InstallReport
from client.publish.packing import local_paths
from client.template import load_template

PLACE = "sam/app/template.yaml"
CODE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Handler: app.handler
    CodeUri: {up}src/shared
Parameters:
  Stage:
    Type: String
    Default: dev
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {up}src/fn
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: {up}layer
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      DefinitionUri: api.yaml
  Alarm:
    Type: AWS::SNS::Topic
    Condition: IsProd
  Db:
    Type: AWS::Serverless::Application
    Properties:
      Location: db/template.yaml
Outputs:
  FnArn:
    Value: !GetAtt Fn.Arn
    Export:
      Name: code-fn-arn
"""
DB = "Resources:\n  Table:\n    Type: AWS::SNS::Topic\n"
API = 'openapi: "3.0.1"\ninfo: {title: t, version: "1"}\npaths: {}\n'
USER = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Code:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: acme/code
        SemanticVersion: ^1.0.0
      Parameters:
        Stage: dev
"""


def tar_gz(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(text.encode())
            archive.addfile(info, io.BytesIO(text.encode()))
    return buffer.getvalue()


def registry_with_code(place: str | None) -> FakeRegistry:
    """acme/code@1.0.0 with code, an API definition and a local child, placed at ``place``."""
    fake = FakeRegistry()
    base = place.rsplit("/", 1)[0] + "/" if place else ""
    up = "../" * base.count("/")
    bundle = {
        "src/shared/app.py": "x = 1\n",
        "src/fn/app.py": "def handler(e, c): ...\n",
        "layer/python/lib.py": "y = 2\n",
        f"{base}api.yaml": API,
        f"{base}db/template.yaml": DB,
    }
    fake.publish("acme/code", "1.0.0", CODE.format(up=up), tar_gz(bundle), template_path=place)
    return fake


def run(tmp_path: Path, registry: FakeRegistry, **options: Any) -> InstallReport:
    project = tmp_path / "app"
    project.mkdir(parents=True, exist_ok=True)
    (project / "template.yaml").write_text(USER)
    opts = InstallOptions(template=project / "template.yaml", **options)
    return install(opts, clients=factory(registry), cache=Cache(tmp_path / "cache"))


def stack_urls(document: dict[str, Any]) -> list[str]:
    resources = document.get("Resources", {}).values()
    return [r["Properties"]["TemplateURL"] for r in resources if r["Type"].endswith("::Stack")]


def assert_local_paths_exist(template: Path) -> list[str]:
    """Every local path the template names exists relative to it; returns them."""
    document = load_template(template.read_text())
    found = [ref.value for ref in local_paths(document, template.parent)]  # raises if missing
    for url in stack_urls(document):
        assert (template.parent / url).is_file(), url
    return found + stack_urls(document)


@pytest.mark.parametrize("place", [None, PLACE])
def test_a_nested_child_sits_at_its_template_path_in_its_bundle(
    tmp_path: Path, place: str | None
) -> None:
    report = run(tmp_path, registry_with_code(place))
    build = tmp_path / "app" / ".nestry" / "build"
    vendored = f"apps/acme/code/1.0.0/{place or 'template.yaml'}"
    assert vendored in report.files
    assert stack_urls(load_template((build / "template.yaml").read_text())) == [vendored]
    assert len(assert_local_paths_exist(build / vendored)) == 5
    assert lint_errors(build / "template.yaml") == set()  # E3043 reads the child too


@pytest.mark.parametrize("place", [None, PLACE])
def test_flatten_rebases_the_childs_local_paths_to_the_build_directory(
    tmp_path: Path, place: str | None
) -> None:
    report = run(tmp_path, registry_with_code(place), flatten=True)
    root = tmp_path / "app" / ".nestry" / "build" / "template.yaml"
    document = load_template(root.read_text())
    assert document["Resources"]["CodeFn"]["Properties"]["CodeUri"] == "apps/acme/code/1.0.0/src/fn"
    assert sorted(assert_local_paths_exist(root)) == sorted(
        f"apps/acme/code/1.0.0/{path}"
        for path in [
            "src/fn",
            "layer",
            f"{'sam/app/' if place else ''}api.yaml",
            f"{'sam/app/' if place else ''}db/template.yaml",
        ]
    )
    assert lint_errors(root) == set()
    assert document["Resources"]["CodeDb"]["Type"] == "AWS::Serverless::Application"
    assert report.flatten is not None and report.flatten.dropped == ["CodeAlarm"]


def test_flatten_drops_exports_unless_kept_and_reports_what_it_settled(tmp_path: Path) -> None:
    dropped = run(tmp_path / "a", registry_with_code(None), flatten=True)
    kept = run(tmp_path / "b", registry_with_code(None), flatten=True, keep_exports=True)
    assert any("FnArn is exported" in w for w in dropped.warnings)
    assert not any("exported" in w for w in kept.warnings)
    outputs = load_template((tmp_path / "b/app/.nestry/build/template.yaml").read_text())["Outputs"]
    assert outputs["CodeFnArn"]["Export"] == {"Name": "code-fn-arn"}
    assert dropped.to_json()["flatten"] == {
        "settled": {"CodeIsProd": False},
        "dropped": ["CodeAlarm"],
    }
    assert run(tmp_path / "c", registry_with_code(None)).to_json()["flatten"] is None


@pytest.mark.parametrize("place", ["../outside.yaml", "/etc/t.yaml", "a/../../b.yaml", "."])
def test_a_template_path_leaving_the_bundle_is_refused(tmp_path: Path, place: str) -> None:
    with pytest.raises(ResolutionError, match="template_path"):
        run(tmp_path, registry_with_code(place))
    assert not (tmp_path / "app" / ".nestry").exists()


@pytest.mark.parametrize("spelling", [URL + "/", URL.upper(), URL.replace("test", "TEST:443/")])
def test_the_lock_is_reused_when_the_registry_url_is_spelled_differently(
    tmp_path: Path, spelling: str
) -> None:
    registry = registry_with_code(None)
    run(tmp_path, registry)
    lock = (tmp_path / "app" / "nestry.lock").read_bytes()
    assert json.loads(lock)["references"]["Code"]["registry"] == URL
    made: list[str] = []

    def make(url: str) -> FakeRegistry:
        made.append(url)
        return registry

    from client.install.sources import ClientFactory

    opts = InstallOptions(template=tmp_path / "app" / "template.yaml")
    report = install(
        opts, clients=ClientFactory(lambda app: spelling, make), cache=Cache(tmp_path / "c2")
    )
    assert registry.resolve_calls() == 1  # the second install resolved nothing
    assert not report.lockfile_changed
    assert (tmp_path / "app" / "nestry.lock").read_bytes() == lock
    assert made == [spelling]  # the client is made from the URL as configured (its token)
