"""What a new user hit, the CLI part: ``init``, ``remove``, ``publish --tag``, ``search --sort``
and ``namespace list``, each through the real ``nestry`` against a real registry."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from test_cli_e2e import (  # noqa: F401 - fixtures
    Nestry,
    home,
    janitor_dir,
    login,
    nestry,
    twitter_dir,
)

from client.template import load_template

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "client"))  # the shared judges
from install_samples import lint_errors, sam_translate

USER = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
# my stack: comments and order must survive add and remove
Resources:
  Bucket:
    Type: AWS::S3::Bucket  # keep me

Outputs:
  BucketName:
    Value: !Ref Bucket
"""


def _json(result: Any) -> Any:
    return json.loads(result.stdout)


def _user(tmp_path: Path, text: str = USER, name: str = "template.yaml") -> Path:
    user = tmp_path / "user" / name
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text(text)
    return user


def test_init_publishes_as_is_and_installs_cleanly(
    nestry: Nestry, live_registry: Any, tmp_path: Path
) -> None:
    login(nestry, live_registry)
    app = tmp_path / "My Cool_App"
    told = nestry("init", str(tmp_path / "told"), "--author", "acme").stdout
    assert told.endswith(
        f"Next: nestry publish {tmp_path / 'told' / 'template.yaml'} --namespace NAMESPACE\n"
    )
    made = _json(nestry("init", str(app), "--author", "acme", "--json"))
    assert made["name"] == "my-cool-app"
    assert made["created"] == ["src/app.py", "README.md", "template.yaml"]
    template = app / "template.yaml"
    document = load_template(template.read_text())
    metadata = document["Metadata"]["AWS::ServerlessRepo::Application"]
    assert metadata["Name"] == "my-cool-app" and metadata["SemanticVersion"] == "0.1.0"
    assert metadata["ReadmeUrl"] == "README.md" and "LicenseUrl" not in metadata
    assert document["Resources"]["Function"]["Properties"]["CodeUri"] == "src/"
    assert lint_errors(template) == set()

    published = _json(nestry("publish", "-n", "acme", "--json", cwd=app))  # found unnamed
    assert (published["application"], published["version"]) == ("acme/my-cool-app", "0.1.0")
    assert sorted(published["bundle_files"]) == ["src/app.py"]
    assert published["readme_bytes"] == len((app / "README.md").read_bytes())

    user = _user(tmp_path)
    nestry("add", "acme/my-cool-app", "-t", str(user))
    nestry("install", "-t", str(user))
    build = user.parent / ".nestry" / "build"
    vendored = build / "apps" / "acme" / "my-cool-app" / "0.1.0"
    assert (vendored / "src" / "app.py").read_text().startswith('"""AWS Lambda calls')
    assert lint_errors(build / "template.yaml") == set()
    assert lint_errors(vendored / "template.yaml") == set()
    stack = sam_translate(build / "template.yaml")["Resources"]["MyCoolApp"]
    assert stack["Type"] == "AWS::CloudFormation::Stack"

    nestry("install", "-t", str(user), "--flatten")
    flat = load_template((build / "template.yaml").read_text())["Resources"]
    assert flat["MyCoolAppFunction"]["Properties"]["CodeUri"] == "apps/acme/my-cool-app/0.1.0/src"
    assert lint_errors(build / "template.yaml") == set()


@pytest.mark.parametrize("runtime", ["nodejs20.x", "ruby3.3"])
def test_init_other_runtimes_lint_clean(nestry: Nestry, tmp_path: Path, runtime: str) -> None:
    app = tmp_path / "app"
    made = _json(nestry("init", str(app), "--runtime", runtime, "--name", "Hello-2", "--json"))
    assert made["name"] == "Hello-2" and len(made["created"]) == 3
    assert lint_errors(app / "template.yaml") == set()


@pytest.mark.parametrize("existing", ["template.yaml", "template.yml", "template.json"])
def test_init_never_overwrites_a_template(nestry: Nestry, tmp_path: Path, existing: str) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / existing).write_text("mine\n")
    refused = nestry("init", str(app), expect=1)
    assert refused.stderr.splitlines()[0] == f"Error: {app / existing} already exists"
    assert refused.stderr.splitlines()[1].startswith("hint: ")
    assert (app / existing).read_text() == "mine\n"
    assert sorted(p.name for p in app.iterdir()) == [existing]  # nothing else written


def test_init_keeps_a_readme_and_refuses_bad_input(nestry: Nestry, tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "README.md").write_text("# mine\n")
    made = _json(nestry("init", str(app), "--json"))
    assert made["kept"] == ["README.md"] and (app / "README.md").read_text() == "# mine\n"
    assert made["name"] == "app" and made["author"] == "me"  # no namespace configured, no USER
    other = tmp_path / "other"
    assert "no starter code for runtime 'java21'" in (
        nestry("init", str(other), "--runtime", "java21", expect=2).stderr
    )
    assert (
        "invalid application name" in nestry("init", str(other), "--name", "a b", expect=2).stderr
    )
    assert not other.exists()


def test_remove_drops_the_reference_and_its_lock_entries(
    nestry: Nestry, live_registry: Any, tmp_path: Path
) -> None:
    login(nestry, live_registry)
    nestry("publish", str(janitor_dir(tmp_path / "janitor")), "-n", "lumigo")
    nestry("publish", str(twitter_dir(tmp_path / "twitter")), "-n", "acme", *_TWITTER)
    user = _user(tmp_path)
    nestry("add", "acme/twitter-event-source", "-t", str(user))
    before = user.read_text()
    nestry("add", "lumigo/lambda-janitor", "--as", "Janitor", "-t", str(user))
    text = user.read_text().replace("'<REQUIRED>'", "x")  # fill in twitter's parameters
    user.write_text(text)
    nestry("install", "-t", str(user))
    lock = user.parent / "nestry.lock"
    assert set(json.loads(lock.read_text())["references"]) == {"Janitor", "TwitterEventSource"}

    removed = _json(nestry("remove", "LUMIGO/lambda-janitor", "-t", str(user), "--json"))
    assert removed["removed"] == ["Janitor"] and removed["lock_entries_removed"] == ["Janitor"]
    assert user.read_text() == before.replace("'<REQUIRED>'", "x")  # byte for byte
    assert set(json.loads(lock.read_text())["references"]) == {"TwitterEventSource"}
    nestry("install", "-t", str(user), "--frozen")  # the lockfile matches the template

    missing = nestry("remove", "lumigo/lambda-janitor", "-t", str(user), expect=3)
    assert "Error: lumigo/lambda-janitor is not referenced by" in missing.stderr
    assert "hint: It references: acme/twitter-event-source." in missing.stderr
    assert "without a range" in nestry("remove", "acme/x@^1", "-t", str(user), expect=2).stderr


def test_remove_refuses_what_would_break_the_template(
    nestry: Nestry, live_registry: Any, tmp_path: Path
) -> None:
    login(nestry, live_registry)
    nestry("publish", str(janitor_dir(tmp_path / "janitor")), "-n", "lumigo")
    user = _user(tmp_path)
    nestry("add", "lumigo/lambda-janitor", "--as", "Janitor", "-t", str(user))
    used = user.read_text() + "  JanitorStack:\n    Value: !GetAtt Janitor.Outputs.X\n"
    user.write_text(used)
    refused = nestry("remove", "lumigo/lambda-janitor", "-t", str(user), expect=1)
    assert "still used by Outputs.JanitorStack" in refused.stderr
    assert user.read_text() == used

    alone = "Resources:\n  J:\n    Type: AWS::Serverless::Application\n    Properties:\n"
    alone += "      Location:\n        ApplicationId: lumigo/lambda-janitor\n"
    only = _user(tmp_path, alone + "        SemanticVersion: ^1\n", "only.yaml")
    emptied = nestry("remove", "lumigo/lambda-janitor", "-t", str(only), expect=1)
    assert "J would leave Resources empty" in emptied.stderr
    assert only.read_text() == alone + "        SemanticVersion: ^1\n"


def test_remove_from_a_json_template(nestry: Nestry, live_registry: Any, tmp_path: Path) -> None:
    login(nestry, live_registry)
    nestry("publish", str(janitor_dir(tmp_path / "janitor")), "-n", "lumigo")
    original = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    user = _user(tmp_path, json.dumps(original, indent=4) + "\n", "template.json")
    nestry("add", "lumigo/lambda-janitor", "-t", str(user))
    nestry("remove", "lumigo/lambda-janitor", "-t", str(user))
    assert user.read_text() == json.dumps(original, indent=4) + "\n"


_TWITTER = [
    "--name",
    "twitter-event-source",
    "--description",
    "d",
    "--author",
    "a",
    "--version",
    "2.1.0",
]


def test_publish_with_a_tag_leaves_latest(
    nestry: Nestry, live_registry: Any, tmp_path: Path
) -> None:
    login(nestry, live_registry)
    janitor = janitor_dir(tmp_path / "janitor")
    first = _json(nestry("publish", str(janitor), "-n", "lumigo", "--tag", "beta", "--json"))
    assert first["dist_tags"] == {"beta": "1.7.0", "latest": "1.7.0"}  # a new app gets latest
    shown = nestry("publish", str(janitor), "-n", "lumigo", "--version", "2.0.0", "--tag", "beta")
    assert "Tagged it beta; latest is 1.7.0." in shown.stdout
    tags = _json(nestry("dist-tag", "ls", "lumigo/lambda-janitor", "--json"))
    assert tags == {"beta": "2.0.0", "latest": "1.7.0"}
    assert "lumigo/lambda-janitor@2.0.0 " in nestry("info", "lumigo/lambda-janitor@beta").stdout
    assert "lumigo/lambda-janitor@1.7.0 " in nestry("info", "lumigo/lambda-janitor").stdout
    assert "@2.0.0 " in nestry("info", "lumigo/lambda-janitor@^2").stdout  # ranges see it

    user = _user(tmp_path, USER.replace("Outputs:\n  BucketName:\n    Value: !Ref Bucket\n", ""))
    added = _json(nestry("add", "lumigo/lambda-janitor@beta", "-t", str(user), "--json"))
    assert (added["range"], added["version"]) == ("beta", "2.0.0")
    report = _json(nestry("install", "-t", str(user), "--json"))
    assert report["tree"][0]["version"] == "2.0.0"

    # An untagged publish moves latest as before; a retry moves no tag, and says so.
    nestry("publish", str(janitor), "-n", "lumigo", "--version", "1.8.0")
    tags = _json(nestry("dist-tag", "ls", "lumigo/lambda-janitor", "--json"))
    assert tags == {"beta": "2.0.0", "latest": "1.8.0"}
    again = nestry("publish", str(janitor), "-n", "lumigo", "--version", "1.8.0", "--tag", "beta")
    assert "The beta tag was not moved" in again.stdout
    assert _json(nestry("dist-tag", "ls", "lumigo/lambda-janitor", "--json"))["beta"] == "2.0.0"
    refused = nestry("publish", str(janitor), "-n", "lumigo", "--tag", "^1", expect=2)
    assert "Error: '^1' is not a dist-tag name" in refused.stderr


def test_search_sorts_by_the_registrys_orders(
    nestry: Nestry, live_registry: Any, tmp_path: Path
) -> None:
    login(nestry, live_registry)
    nestry("publish", str(twitter_dir(tmp_path / "twitter")), "-n", "acme", *_TWITTER)
    nestry("publish", str(janitor_dir(tmp_path / "janitor")), "-n", "lumigo")

    def order(*flags: str) -> list[str]:
        hits = _json(nestry("search", *flags, "--json"))["results"]
        return [hit["application"] for hit in hits]

    assert order("--sort", "name") == ["acme/twitter-event-source", "lumigo/lambda-janitor"]
    assert order("--sort", "updated") == ["lumigo/lambda-janitor", "acme/twitter-event-source"]
    refused = nestry("search", "--sort", "stars", expect=2)
    assert "'stars' is not one of 'relevance', 'downloads', 'name', 'updated'" in refused.output


def test_namespace_list_shows_the_callers_roles(
    nestry: Nestry, live_registry: Any, publish_token_factory: Any
) -> None:
    olga = publish_token_factory("olga", scope="admin", user="olga")
    dev = publish_token_factory("dev-home", user="dev")
    nestry("namespace", "create", "acme-corp", NESTRY_TOKEN=olga)
    nestry("namespace", "add-member", "acme-corp", "dev", "--role", "reader", NESTRY_TOKEN=olga)
    mine = _json(nestry("namespace", "list", "--json", NESTRY_TOKEN=dev))
    assert mine["user"] == "dev"
    roles = {n["namespace"]: (n["role"], n["covered"]) for n in mine["namespaces"]}
    assert roles["acme-corp"] == ("reader", False)  # dev's token names dev-home only
    assert roles["dev-home"][1] is True
    told = nestry("namespace", "list", NESTRY_TOKEN=dev).stdout
    assert "This token does not cover every namespace" in told
    shown = nestry("namespace", "list", NESTRY_TOKEN=olga).stdout.splitlines()
    assert shown[0].split() == ["NAMESPACE", "ROLE", "KIND", "VISIBILITY", "THIS", "TOKEN"]
    assert ["acme-corp", "owner", "org", "private", "yes"] in [line.split() for line in shown]

    anonymous = nestry("namespace", "list", expect=4)
    assert "Error: listing your namespaces needs a token (log in first)" in anonymous.stderr
    assert "hint: " in anonymous.stderr
