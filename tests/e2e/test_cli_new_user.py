"""Issue 14's "wrong results", each through the real ``nestry`` against a real registry."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from test_cli_e2e import Nestry, home, janitor_dir, login, nestry  # noqa: F401 - fixtures

from client.template import load_template

FUNCTION_WITHOUT_CODE_URI = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Metadata:
  AWS::ServerlessRepo::Application:
    Name: no-code-uri
    Description: a function whose code is the template's folder
    Author: acme
    SemanticVersion: 1.0.0
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: handler.main
      Runtime: python3.12
  Inline:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.main
      Runtime: python3.12
      InlineCode: "def main(event, context): return 1"
"""


def _user(tmp_path: Path, body: str) -> Path:
    user = tmp_path / "user" / "template.yml"
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n" + body)
    return user


def _reference(logical_id: str, app: str, spec: str, parameters: str = "") -> str:
    text = (
        f"  {logical_id}:\n    Type: AWS::Serverless::Application\n    Properties:\n"
        f"      Location:\n        ApplicationId: {app}\n        SemanticVersion: '{spec}'\n"
    )
    return text + (f"      Parameters:\n{parameters}" if parameters else "")


def test_a_function_without_code_uri_ships_its_folder(
    nestry: Nestry, live_registry: Any, tmp_path: Path
) -> None:
    login(nestry, live_registry)
    app = tmp_path / "app"
    app.mkdir()
    (app / "template.yml").write_text(FUNCTION_WITHOUT_CODE_URI)  # found without naming it
    (app / "handler.py").write_text("def main(event, context):\n    return 1\n")
    (app / ".aws-sam").mkdir()
    (app / ".aws-sam" / "junk").write_text("build output\n")
    published = json.loads(nestry("publish", "-n", "acme", "--json", cwd=app).stdout)
    assert sorted(published["bundle_files"]) == ["handler.py", "template.yml"]

    user = _user(tmp_path, _reference("Child", "acme/no-code-uri", "^1"))
    nestry("install", "-t", str(user))
    vendored = user.parent / ".nestry" / "build" / "apps" / "acme" / "no-code-uri" / "1.0.0"
    assert (vendored / "handler.py").read_text().startswith("def main")

    nestry("install", "-t", str(user), "--flatten")
    built = load_template((user.parent / ".nestry" / "build" / "template.yaml").read_bytes())
    flat = {k: v for k, v in built["Resources"].items() if v["Type"].endswith("Function")}
    code_uris = {k: v["Properties"].get("CodeUri") for k, v in flat.items()}
    # The inlined function points at the vendored folder, not at the build directory itself;
    # the inline one still needs none.
    assert sorted(code_uris.values(), key=str) == [None, "apps/acme/no-code-uri/1.0.0"]


def test_yanked_and_deprecated_pins_warn(
    nestry: Nestry, live_registry: Any, tmp_path: Path
) -> None:
    login(nestry, live_registry)
    janitor = janitor_dir(tmp_path / "janitor")
    nestry("publish", str(janitor), "-n", "lumigo")
    nestry("publish", str(janitor), "-n", "lumigo", "--version", "1.8.0")
    user = _user(tmp_path, _reference("Janitor", "lumigo/lambda-janitor", "^1"))
    first = json.loads(nestry("install", "-t", str(user), "--json").stdout)
    assert first["warnings"] == []
    nestry("yank", "lumigo/lambda-janitor@1.8.0", "--reason", "leaks logs")

    locked = nestry("install", "-t", str(user), "--json")
    warning = "Janitor: lumigo/lambda-janitor@1.8.0 is yanked: leaks logs"
    assert json.loads(locked.stdout)["warnings"] == [warning]
    assert f"warning: {warning}" in nestry("install", "-t", str(user)).stderr

    rows = json.loads(nestry("outdated", "-t", str(user), "--json", expect=1).stdout)
    assert [(r["current"], r["wanted"], r["note"]) for r in rows] == [
        ("1.8.0", "1.7.0", "yanked: leaks logs")
    ]
    table = nestry("outdated", "-t", str(user), expect=1).stdout
    assert "yanked: leaks logs" in table

    nestry("deprecate", "lumigo/lambda-janitor@1.7.0", "use 1.9")
    nestry("update", "-t", str(user))  # back within the range: 1.7.0, deprecated
    moved = json.loads(nestry("install", "-t", str(user), "--json").stdout)
    assert moved["warnings"] == ["Janitor: lumigo/lambda-janitor@1.7.0 is deprecated: use 1.9"]
    lock = user.parent / "nestry.lock"
    assert stat.S_IMODE(lock.stat().st_mode) == 0o644  # meant to be committed


def test_required_placeholders_are_refused(
    nestry: Nestry, live_registry: Any, tmp_path: Path
) -> None:
    login(nestry, live_registry)
    janitor = janitor_dir(tmp_path / "janitor")
    nestry("publish", str(janitor), "-n", "lumigo")
    user = _user(tmp_path, "  Bucket:\n    Type: AWS::S3::Bucket\n")
    nestry("add", "lumigo/lambda-janitor", "--as", "Janitor", "-t", str(user))
    text = user.read_text().replace(
        "SemanticVersion: '^1.7.0'",
        "SemanticVersion: '^1.7.0'\n      Parameters:\n        Extra: '<REQUIRED>'",
    )
    user.write_text(text)
    refused = nestry("install", "-t", str(user), expect=1)
    assert "Janitor: parameter Extra of lumigo/lambda-janitor is still '<REQUIRED>'" in (
        refused.stderr
    )
    assert not (user.parent / "nestry.lock").exists()
    assert not (user.parent / ".nestry").exists()


def test_update_of_an_unreferenced_app_and_outdated_exit_codes(
    nestry: Nestry, live_registry: Any, tmp_path: Path
) -> None:
    login(nestry, live_registry)
    janitor = janitor_dir(tmp_path / "janitor")
    nestry("publish", str(janitor), "-n", "lumigo")
    user = _user(tmp_path, _reference("Janitor", "lumigo/lambda-janitor", "^1"))
    nestry("install", "-t", str(user))
    missing = nestry("update", "nosuch/app", "-t", str(user), expect=3)
    assert "nosuch/app: not referenced by" in missing.stderr
    assert nestry("outdated", "-t", str(user)).stdout == "Everything is up to date.\n"
    nestry("publish", str(janitor), "-n", "lumigo", "--version", "1.8.0")
    nestry("outdated", "-t", str(user), expect=1)
    nestry("update", "lumigo/lambda-janitor", "-t", str(user))
    nestry("outdated", "-t", str(user), expect=0)


def test_a_template_without_the_sam_transform_is_told(
    nestry: Nestry, live_registry: Any, tmp_path: Path
) -> None:
    login(nestry, live_registry)
    nestry("publish", str(janitor_dir(tmp_path / "janitor")), "-n", "lumigo")
    user = tmp_path / "plain" / "template.yaml"
    user.parent.mkdir()
    user.write_text("Resources:\n" + _reference("Janitor", "lumigo/lambda-janitor", "^1"))
    warnings = json.loads(nestry("install", "-t", str(user), "--json").stdout)["warnings"]
    assert len(warnings) == 1 and "has no 'Transform: AWS::Serverless-2016-10-31'" in warnings[0]
    sam = _user(tmp_path, _reference("Janitor", "lumigo/lambda-janitor", "^1"))
    assert json.loads(nestry("install", "-t", str(sam), "--json").stdout)["warnings"] == []


def test_publish_dry_run_shows_metadata_and_sends_nothing(
    nestry: Nestry, live_registry: Any, tmp_path: Path
) -> None:
    login(nestry, live_registry)
    janitor = janitor_dir(tmp_path / "janitor")
    result = nestry(
        "publish",
        str(janitor),
        "--namespace",
        "lumigo",
        "--dry-run",
        "--description",
        "Deletes old Lambda versions",
    )
    assert result.exit_code == 0, result.output
    head = f"Would publish lumigo/lambda-janitor@1.7.0 to {live_registry.url}"
    assert f"{head} (dry run: the registry checked it, stored nothing)" in result.output
    assert "Deletes old Lambda versions" in result.output
    assert "readme: 39 B" in result.output
    # Its function has no CodeUri: SAM builds the template's folder, so that is the bundle.
    assert "bundle: " in result.output and "bundle: none" not in result.output
    assert "template.yaml  1.4 KiB" in result.output
    nestry("info", "lumigo/lambda-janitor", expect=3)  # nothing stored


def test_publish_dry_run_runs_the_registry_checks(
    nestry: Nestry, live_registry: Any, tmp_path: Path
) -> None:
    login(nestry, live_registry)
    empty = tmp_path / "empty" / "template.yaml"
    empty.parent.mkdir()
    empty.write_text("AWSTemplateFormatVersion: '2010-09-09'\nDescription: nothing\n")
    flags = ["-n", "acme", "--name", "empty", "--description", "d", "--author", "a"]
    refused = nestry("publish", str(empty), *flags, "--version", "1.0.0", "--dry-run", expect=1)
    assert "Resources" in refused.stderr and "Would publish" not in refused.output
    janitor = janitor_dir(tmp_path / "janitor")
    nestry("publish", str(janitor), "-n", "lumigo")
    same = nestry("publish", str(janitor), "-n", "lumigo", "--dry-run", "--json")
    assert json.loads(same.stdout)["would_create"] is False
    (janitor.parent / "README.md").write_text("changed\n")
    changed = nestry("publish", str(janitor), "-n", "lumigo", "--dry-run", expect=1)
    assert "already published with different content" in changed.stderr
    nester = tmp_path / "nester" / "template.yaml"
    nester.parent.mkdir()
    nester.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        + _reference("Child", "acme/nosuch", "^1")
    )
    unknown = nestry("publish", str(nester), *flags, "--version", "1.0.0", "--dry-run", expect=1)
    assert "acme/nosuch" in unknown.stderr
    versions = json.loads(nestry("versions", "lumigo/lambda-janitor", "--json").stdout)
    assert [v["version"] for v in versions["versions"]] == ["1.7.0"]


def test_publish_dry_run_json_lists_bundle_files(
    nestry: Nestry, live_registry: Any, tmp_path: Path
) -> None:
    login(nestry, live_registry)
    app = tmp_path / "app"
    (app / "src").mkdir(parents=True)
    (app / "src" / "index.py").write_text("print('hi')\n")
    (app / "template.yaml").write_text(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: src, Handler: index.h, Runtime: python3.12}\n"
    )
    result = nestry(
        "publish",
        str(app / "template.yaml"),
        "--dry-run",
        "--json",
        "-n",
        "acme",
        "--name",
        "hello",
        "--description",
        "d",
        "--author",
        "me",
        "--version",
        "0.1.0",
        "--label",
        "a",
        "--label",
        "b",
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["application"] == "acme/hello" and plan["dry_run"] is True
    assert plan["bundle_files"] == {"src/index.py": 12}
    assert plan["metadata"]["labels"] == ["a", "b"]


def test_capabilities_include_local_child_templates(
    nestry: Nestry, live_registry: Any, tmp_path: Path
) -> None:
    login(nestry, live_registry)
    app = tmp_path / "multi"
    (app / "backend").mkdir(parents=True)
    (app / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Backend:\n    Type: AWS::Serverless::Application\n"
        "    Properties:\n      Location: backend/template.yaml\n"
    )
    (app / "backend" / "template.yaml").write_text(
        "Resources:\n  Deeper:\n    Type: AWS::Serverless::Application\n"
        "    Properties:\n      Location: ../roles.yaml\n"
    )
    (app / "roles.yaml").write_text(
        "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      RoleName: fixed\n      AssumeRolePolicyDocument: {}\n"
    )
    flags = ["-n", "acme", "--name", "multi", "--description", "d", "--author", "a"]
    nestry("publish", str(app / "template.yaml"), *flags, "--version", "1.0.0")
    info = nestry("info", "acme/multi").stdout
    assert "Capabilities: CAPABILITY_AUTO_EXPAND, CAPABILITY_IAM, CAPABILITY_NAMED_IAM" in info
    user = _user(tmp_path, _reference("Multi", "acme/multi", "^1"))
    caps = json.loads(nestry("install", "-t", str(user), "--json").stdout)["capabilities"]
    assert caps == ["CAPABILITY_AUTO_EXPAND", "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]


def test_publish_says_private_and_visibility_makes_public(
    nestry: Nestry, live_registry: Any, tmp_path: Path
) -> None:
    login(nestry, live_registry)
    nestry("namespace", "create", "lumigo")  # created explicitly: private by default
    published = nestry("publish", str(janitor_dir(tmp_path / "janitor")), "-n", "lumigo")
    assert (
        "lumigo/lambda-janitor is private to lumigo: "
        "`nestry visibility lumigo/lambda-janitor public` makes it public.\n"
    ) in published.stdout
    anonymous = {"NESTRY_TOKEN": "", "XDG_CONFIG_HOME": str(tmp_path / "nobody")}
    hits = json.loads(nestry("search", "janitor", "--json", **anonymous).stdout)["results"]
    assert hits == []
    made = nestry("visibility", "lumigo/lambda-janitor", "public")
    assert made.stdout.startswith("lumigo/lambda-janitor is public")
    hits = json.loads(nestry("search", "janitor", "--json", **anonymous).stdout)["results"]
    assert [h["application"] for h in hits] == ["lumigo/lambda-janitor"]
    again = nestry("publish", str(tmp_path / "janitor" / "template.yaml"), "-n", "lumigo")
    assert "is private" not in again.stdout
    nestry("visibility", "lumigo/lambda-janitor", "secret", expect=2)
