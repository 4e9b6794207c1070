"""Bundle packing: what goes in, where, deterministic bytes, and what is refused."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
from pathlib import Path

import pytest
from corpus import CORPUS
from publish_samples import FUNCTION, realworld, write

from client.publish.packing import BundlePlan, PackingError, plan_bundle
from client.publish.request import prepare
from client.publish.tarball import pack
from client.template import load_template, parse_template

POWER_TUNING = CORPUS / "alexcasalboni__aws-lambda-power-tuning__template.yaml"


def members(bundle: bytes) -> list[tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(bundle), mode="r:gz") as archive:
        return archive.getmembers()


def power_tuning(root: Path) -> Path:
    """alexcasalboni/aws-lambda-power-tuning: CodeUri, ContentUri and DefinitionUri paths."""
    template = root / "template.yaml"
    root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(POWER_TUNING, template)
    for name, body in {
        "lambda/executor.js": "x",
        "lambda/utils.js": "y",
        "layer-sdk/package.json": "{}",
        "statemachine/statemachine.asl.json": "{}",
        "README.md": "r",
        "LICENSE": "l",
        "lambda/.git/config": "ignored",
        "lambda/__pycache__/a.pyc": "ignored",
    }.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    return template


def plan_of(template: Path) -> BundlePlan:
    return plan_bundle(template, load_template(template.read_bytes(), source=str(template)))


def test_code_content_and_definition_uris_are_packed(tmp_path: Path) -> None:
    plan = plan_of(power_tuning(tmp_path / "app"))
    assert list(plan.files) == [
        "lambda/executor.js",
        "lambda/utils.js",
        "layer-sdk/package.json",
        "statemachine/statemachine.asl.json",
    ]
    assert plan.rewrites == {}


def test_same_files_give_the_same_bytes(tmp_path: Path) -> None:
    first = pack(plan_of(power_tuning(tmp_path / "a")).files)
    second_template = power_tuning(tmp_path / "elsewhere" / "b")
    os.utime(second_template.parent / "lambda" / "utils.js", (1, 1))  # mtimes must not matter
    assert pack(plan_of(second_template).files) == first
    assert pack(plan_of(second_template).files) == first


def test_tar_entries_are_normalized(tmp_path: Path) -> None:
    template = power_tuning(tmp_path / "app")
    (template.parent / "lambda" / "executor.js").chmod(0o755)
    entries = members(pack(plan_of(template).files))
    assert [e.name for e in entries] == sorted(e.name for e in entries)
    assert all(e.isfile() and e.mtime == 0 and e.uid == 0 and e.uname == "" for e in entries)
    modes = {e.name: e.mode for e in entries}
    assert modes["lambda/executor.js"] == 0o755 and modes["lambda/utils.js"] == 0o644


def test_symlink_inside_code_folder_is_refused(tmp_path: Path) -> None:
    template = power_tuning(tmp_path / "app")
    (template.parent / "lambda" / "link.js").symlink_to(template.parent / "lambda" / "utils.js")
    with pytest.raises(PackingError, match="symbolic link"):
        plan_of(template)


def test_code_uri_through_a_symlink_is_refused(tmp_path: Path) -> None:
    template = power_tuning(tmp_path / "app")
    shutil.rmtree(template.parent / "layer-sdk")
    (template.parent / "layer-sdk").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(PackingError, match="symbolic link"):
        plan_of(template)


@pytest.mark.parametrize("uri", ["/etc", "~/code"])
def test_absolute_paths_are_refused(tmp_path: Path, uri: str) -> None:
    template = write(tmp_path / "template.yaml", FUNCTION.format(uri=uri))
    with pytest.raises(PackingError, match="absolute path"):
        plan_of(template)


def test_missing_path_is_refused(tmp_path: Path) -> None:
    template = write(tmp_path / "template.yaml", FUNCTION.format(uri="src/"))
    with pytest.raises(PackingError, match="does not exist"):
        plan_of(template)


def test_s3_and_intrinsic_code_uris_are_left_alone(tmp_path: Path) -> None:
    template = write(tmp_path / "template.yaml", FUNCTION.format(uri="s3://bucket/key.zip"))
    assert plan_of(template).files == {}
    template.write_text(FUNCTION.format(uri="!Sub 's3://${AWS::Region}/x.zip'"))
    assert plan_of(template).files == {}


def test_code_outside_the_template_dir_is_mirrored_and_the_template_rewritten(
    tmp_path: Path,
) -> None:
    """SumoLogic's `CodeUri: ../src/`: the bundle mirrors the project root."""
    template = write(tmp_path / "sam" / "template.yaml", FUNCTION.format(uri="../src/"))
    write(tmp_path / "src" / "app.py", "def handler(e, c): pass\n")
    plan = plan_of(template)
    assert list(plan.files) == ["src/app.py"]
    assert plan.rewrites == {("Resources", "Fn", "Properties", "CodeUri"): "src"}


def test_code_uri_reaching_the_filesystem_root_is_refused(tmp_path: Path) -> None:
    depth = len(tmp_path.parts)
    template = write(tmp_path / "template.yaml", FUNCTION.format(uri="../" * depth))
    with pytest.raises(PackingError, match="whole disk"):
        plan_of(template)


def test_code_uri_dot_packs_the_template_directory(tmp_path: Path) -> None:
    template = write(tmp_path / "app" / "template.yaml", FUNCTION.format(uri="."))
    write(tmp_path / "app" / "app.py", "")
    plan = plan_of(template)
    assert list(plan.files) == ["app.py", "template.yaml"] and plan.rewrites == {}


def test_global_code_uri_is_packed(tmp_path: Path) -> None:
    text = "Globals:\n  Function:\n    CodeUri: src\n" + FUNCTION.replace(
        "      CodeUri: {uri}\n", ""
    )
    template = write(tmp_path / "template.yaml", text)
    write(tmp_path / "src" / "app.py", "")
    assert list(plan_of(template).files) == ["src/app.py"]


CHILD_APP = """Resources:
  Child:
    Type: AWS::Serverless::Application
    Properties:
      Location: {location}
"""


def test_cycle_of_local_templates_is_refused(tmp_path: Path) -> None:
    template = write(tmp_path / "template.yaml", CHILD_APP.format(location="child.yaml"))
    write(tmp_path / "child.yaml", CHILD_APP.format(location="template.yaml"))
    with pytest.raises(PackingError, match="cycle"):
        plan_of(template)


def test_realworld_multi_template_app_is_self_contained(tmp_path: Path) -> None:
    plan = prepare(realworld(tmp_path), namespace="awslabs", version=None, overrides={})
    assert plan.app.display == "awslabs/realworld-serverless-application"
    assert {
        "backend/sam/app/template.yaml",
        "backend/sam/app/api.template.yaml",
        "backend/sam/app/database.template.yaml",
        "ops/sam/app/template.yaml",
        "analytics/sam/app/template.yaml",
        "static-website/sam/app/template.yaml",
        "static-website/dist/index.html",
        "backend/target/api.jar",
    } <= set(plan.bundle_files)
    assert plan.readme == b"# realworld\n" and plan.license == b"Apache-2.0\n"
    published = parse_template(plan.template, source="published")
    locations = {r.logical_id: r.location for r in published.references}
    assert locations == {
        "Backend": "backend/sam/app/template.yaml",
        "Ops": "ops/sam/app/template.yaml",
        "Website": "static-website/sam/app/template.yaml",
        "Analytics": "analytics/sam/app/template.yaml",
    }
    assert set(locations.values()) <= set(
        plan.bundle_files
    )  # every rewritten path is in the bundle
    packed = {e.name for e in members(plan.bundle or b"")}
    assert packed == set(plan.bundle_files)
    child = tmp_path / "backend/sam/app/template.yaml"
    with tarfile.open(fileobj=io.BytesIO(plan.bundle or b""), mode="r:gz") as archive:
        extracted = archive.extractfile("backend/sam/app/template.yaml")
        assert (
            extracted is not None and extracted.read() == child.read_bytes()
        )  # children as written
