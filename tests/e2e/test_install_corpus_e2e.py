"""Every usable corpus template, published to the real registry and nested by a user template,
installs; cfn-lint finds nothing in the generated files beyond what it finds in the published
template itself (several apps use deprecated runtimes: those findings are theirs)."""

from __future__ import annotations

import io
import posixpath
import re
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from corpus import CORPUS
from install_samples import DUMMIES, lint_errors, lint_findings, sam_translate
from install_support import Env, user_template

from client.install.cache import Cache
from client.publish.request import prepare
from client.template import LocationKind, Template, parse_template
from client.template.local_paths import local_paths

# Refused at publish by design (no Resources / placeholder name); see the corpus README.
UNUSABLE = {
    "awslabs__aws-sam-cli__tests_integration_testdata_package_aws-serverlessrepo-application.yaml",
    "awslabs__aws-sam-cli__tests_integration_testdata_publish_template_create_app.yaml",
}
# Nests templates outside its own directory (../../backend/...) and reads its README/LICENSE
# from there: published with `nestry publish`'s code from a copy of the repository's layout.
OUTSIDE_BUNDLE = {
    "awslabs__realworld-serverless-application__sam_app_template.yaml": "sam/app/template.yaml"
}


def usable() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*.yaml") if p.name not in UNUSABLE)


@pytest.fixture
def env(live_registry: Any, tmp_path: Path) -> Iterator[Env]:
    project = tmp_path / "project"
    project.mkdir()
    with httpx.Client(timeout=60) as http:
        yield Env(
            live_registry.url, live_registry.admin_token, Cache(tmp_path / "cache"), project, http
        )


@pytest.mark.slow
@pytest.mark.parametrize("path", usable(), ids=lambda p: p.name.removesuffix(".yaml"))
def test_corpus_app_installs_without_new_findings(env: Env, path: Path, tmp_path: Path) -> None:
    template = parse_template(path.read_bytes(), source=path.name)
    meta = template.metadata
    name = meta.name if meta else re.sub(r"[^A-Za-z0-9-]", "-", path.stem)[-100:].strip("-")
    version = (meta.semantic_version if meta else None) or "1.0.0"
    metadata = {} if meta else {"name": name, "description": "corpus app", "author": "corpus"}
    published = tmp_path / "published" / "template.yaml"
    place = OUTSIDE_BUNDLE.get(path.name) or code_place(template)
    if place:
        published = publish_from_layout(env, path, tmp_path / "repo", place)
    else:
        env.publish(
            f"corpus/{name}", version, path.read_bytes(), metadata, bundle=local_stubs(template)
        )
        published.parent.mkdir()
        published.write_bytes(path.read_bytes())
    parameters = required_values(template.document)
    block = "\n        ".join(f"{key}: '{value}'" for key, value in parameters.items())
    env.write_user(user_template(("App", f"corpus/{name}", version, block)))

    report = env.install()

    build = env.project / ".nestry" / "build"
    vendored = build / "apps" / "corpus" / name.lower() / version / "template.yaml"
    assert f"apps/corpus/{name.lower()}/{version}/template.yaml" in report.files
    new = lint_findings(vendored) - lint_findings(published)
    assert new == set(), new
    assert lint_errors(build / "template.yaml") == set()
    assert "Resources" in sam_translate(build / "template.yaml")


def required_values(document: dict[str, Any]) -> dict[str, str]:
    values = {}
    for name, spec in (document.get("Parameters") or {}).items():
        if spec.get("Default") is None:
            allowed = spec.get("AllowedValues")
            values[name] = str(allowed[0]) if allowed else DUMMIES.get(name, "x")
    return values


def code_place(template: Template) -> str | None:
    """Where to lay out a template whose code paths climb out of its directory
    (``CodeUri: ../src/``): deep enough that they stay inside the copy, as in its repository."""
    code = [p.value for p in local_paths(template.document) if not p.document]
    depth = max((posixpath.normpath(c).split("/").count("..") for c in code), default=0)
    if not depth:
        return None
    documents = [p.value for p in local_paths(template.document) if p.document]
    depth = max([depth, *(posixpath.normpath(d).split("/").count("..") for d in documents)])
    return "/".join(["d"] * depth + ["template.yaml"])


def publish_from_layout(env: Env, path: Path, repo: Path, place: str) -> Path:
    """Lay the template out at ``place`` in a copy of its repository (stubs for its local
    children, README and LICENSE), publish it with ``nestry publish``'s code, and return it:
    the template as published, beside the same children."""
    target = repo / place
    target.parent.mkdir(parents=True)
    target.write_bytes(path.read_bytes())
    parsed = parse_template(path.read_bytes())
    for location, stub in stub_files(parsed).items():
        stub_path = repo / posixpath.normpath(posixpath.join(posixpath.dirname(place), location))
        stub_path.parent.mkdir(parents=True, exist_ok=True)
        stub_path.write_bytes(stub)
    for code in (p.value for p in local_paths(parsed.document) if not p.document):
        code_path = repo / posixpath.normpath(posixpath.join(posixpath.dirname(place), code))
        if not code_path.exists():  # a folder of code (CodeUri: ../src/) or one file (x.jar)
            stub = code_path / "index.py" if code.endswith("/") or "." not in code else code_path
            stub.parent.mkdir(parents=True, exist_ok=True)
            stub.write_text("def handler(event, context):\n    return None\n")
    (repo / "README.md").write_text("# readme\n")
    (repo / "LICENSE").write_text("Apache-2.0\n")
    for document in (p.value for p in local_paths(parsed.document) if p.document):
        document_path = repo / posixpath.normpath(
            posixpath.join(posixpath.dirname(place), document)
        )
        if not document_path.exists() and document_path.is_relative_to(repo):
            document_path.parent.mkdir(parents=True, exist_ok=True)
            document_path.write_text("stub\n")
    plan = prepare(target, namespace="corpus", version=None, overrides={})
    status, document = env.client().publish(
        plan.app,
        plan.version,
        template=plan.template,
        metadata=plan.metadata,
        readme=plan.readme,
        license=plan.license,
        bundle=plan.bundle,
    )
    assert status in (200, 201), document
    return target


def stub_files(template: Template) -> dict[str, bytes]:
    """A stub for every local nested template, declaring what it is passed."""
    stubs = {}
    for ref in template.references:
        if ref.kind == LocationKind.LOCAL and ref.location:
            parameters = {key: {"Type": "String"} for key in ref.parameters}
            resources = {"Topic": {"Type": "AWS::SNS::Topic"}}
            stub: dict[str, Any] = {"Parameters": parameters, "Resources": resources}
            stubs[ref.location] = yaml.safe_dump({k: v for k, v in stub.items() if v}).encode()
    return stubs


def local_stubs(template: Template) -> bytes | None:
    """A bundle holding ``stub_files`` at their paths (relative to the template)."""
    stubs = stub_files(template)
    if not stubs:
        return None
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in stubs.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
