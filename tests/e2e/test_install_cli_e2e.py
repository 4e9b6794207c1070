"""`nestry install / tree / outdated / update` through the CLI, against the live registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner, Result
from install_support import TWITTER, TWITTER_METADATA, TWITTER_PARAMETERS, user_template

from client.api.client import RegistryClient
from client.cli import cli
from client.commands.context import Context
from client.names import parse_app_id
from client.template import load_template

APP = "awslabs/twitter-event-source"


def nestry(live: Any, tmp_path: Path, *args: str) -> Result:
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path),
        "NESTRY_REGISTRY": live.url,
        "NESTRY_TOKEN": live.admin_token,
        "NESTRY_CACHE_DIR": str(tmp_path / "cache"),
    }
    return CliRunner().invoke(cli, list(args), obj=Context(env=env))


def publish(live: Any, version: str) -> None:
    with httpx.Client(timeout=30) as http:
        client = RegistryClient(live.url, live.admin_token, http=http)
        status, _ = client.publish(
            parse_app_id(APP), version, template=TWITTER.read_bytes(), metadata=TWITTER_METADATA
        )
    assert status == 201


def test_install_tree_outdated_update(live_registry: Any, tmp_path: Path) -> None:
    publish(live_registry, "2.1.0")
    template = tmp_path / "template.yaml"
    template.write_text(user_template(("TweetSource", APP, "^2.0.0", TWITTER_PARAMETERS)))
    result = nestry(live_registry, tmp_path, "install", "-t", str(template), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["tree"][0]["version"] == "2.1.0"
    assert "CAPABILITY_IAM" in report["capabilities"]
    assert report["lockfile_changed"] is True
    assert (tmp_path / ".nestry" / "build" / "template.yaml").is_file()

    offline = nestry(
        live_registry, tmp_path, "install", "-t", str(template), "--frozen", "--offline"
    )
    assert offline.exit_code == 0, offline.output
    assert "Next: sam build -t" in offline.output

    publish(live_registry, "2.2.0")
    rows = json.loads(
        nestry(live_registry, tmp_path, "outdated", "-t", str(template), "--json").output
    )
    assert [(r["current"], r["wanted"], r["latest"]) for r in rows] == [("2.1.0", "2.2.0", "2.2.0")]
    updated = nestry(live_registry, tmp_path, "update", "-t", str(template))
    assert updated.exit_code == 0, updated.output
    assert "TweetSource: awslabs/twitter-event-source 2.1.0 -> 2.2.0" in updated.output
    tree = json.loads(nestry(live_registry, tmp_path, "tree", "-t", str(template), "--json").output)
    assert tree[0]["version"] == "2.2.0"


def test_parameter_error_is_one_clear_line(live_registry: Any, tmp_path: Path) -> None:
    publish(live_registry, "2.1.0")
    template = tmp_path / "template.yaml"
    template.write_text(user_template(("TweetSource", APP, "^2.0.0", "SearchText: x\n")))
    result = nestry(live_registry, tmp_path, "install", "-t", str(template))
    assert result.exit_code != 0
    assert "required parameter 'TweetProcessorFunctionName' is not passed" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "nestry.lock").exists()


EXPORTER = """\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env:
    Type: String
    Default: dev
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Alarm:
    Type: AWS::SNS::Topic
    Condition: IsProd
Outputs:
  TopicArn:
    Value: !Ref Topic
    Export:
      Name: shared-topic
"""


def test_flatten_report_and_keep_exports(live_registry: Any, tmp_path: Path) -> None:
    with httpx.Client(timeout=30) as http:
        status, _ = RegistryClient(live_registry.url, live_registry.admin_token, http=http).publish(
            parse_app_id("acme/exporter"),
            "1.0.0",
            template=EXPORTER.encode(),
            metadata={"name": "exporter", "description": "exports a topic", "author": "acme"},
        )
    assert status == 201
    template = tmp_path / "template.yaml"
    template.write_text(user_template(("Exp", "acme/exporter", "^1.0.0", "")))
    built = tmp_path / ".nestry" / "build" / "template.yaml"

    dropped = nestry(live_registry, tmp_path, "install", "-t", str(template), "--flatten", "--json")
    assert dropped.exit_code == 0, dropped.output
    report = json.loads(dropped.stdout)
    assert report["flatten"] == {"settled": {"ExpIsProd": False}, "dropped": ["ExpAlarm"]}
    assert any("TopicArn is exported" in w for w in report["warnings"])
    assert "ExpTopicArn" not in built.read_text()

    args = ("install", "-t", str(template), "--flatten", "--keep-exports")
    kept = nestry(live_registry, tmp_path, *args)
    assert kept.exit_code == 0, kept.output
    assert "flatten settled conditions: ExpIsProd=false" in kept.stdout
    assert "flatten dropped: ExpAlarm" in kept.stdout
    outputs = load_template(built.read_text())["Outputs"]
    assert outputs["ExpTopicArn"]["Export"] == {"Name": "shared-topic"}

    misuse = nestry(live_registry, tmp_path, "install", "-t", str(template), "--keep-exports")
    assert misuse.exit_code == 2 and "only applies with --flatten" in misuse.output


def _publish_exporter(live: Any, version: str, template: str = EXPORTER) -> None:
    with httpx.Client(timeout=30) as http:
        status, _ = RegistryClient(live.url, live.admin_token, http=http).publish(
            parse_app_id("acme/exporter"),
            version,
            template=template.encode(),
            metadata={"name": "exporter", "description": "exports a topic", "author": "acme"},
        )
    assert status == 201


def _project_files(root: Path) -> dict[str, bytes]:
    """nestry.lock and the build directory, byte for byte."""
    files = [root / "nestry.lock", *(p for p in (root / ".nestry").rglob("*") if p.is_file())]
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(files)}


def test_update_dry_run_and_flatten(live_registry: Any, tmp_path: Path) -> None:
    _publish_exporter(live_registry, "1.0.0")
    template = tmp_path / "template.yaml"
    template.write_text(user_template(("Exp", "acme/exporter", "^1.0.0", "")))
    assert nestry(live_registry, tmp_path, "install", "-t", str(template)).exit_code == 0
    _publish_exporter(
        live_registry,
        "1.1.0",
        EXPORTER.replace("Outputs:", "  Queue:\n    Type: AWS::SQS::Queue\nOutputs:"),
    )
    before = _project_files(tmp_path)

    planned = nestry(live_registry, tmp_path, "update", "-t", str(template), "--dry-run", "--json")
    assert planned.exit_code == 0, planned.output
    assert json.loads(planned.stdout) == {
        "dry_run": True,
        "changes": [
            {"path": "Exp", "application": "acme/exporter", "from": "1.0.0", "to": "1.1.0"}
        ],
    }
    human = nestry(live_registry, tmp_path, "update", "-t", str(template), "--dry-run")
    assert human.stdout == "Exp: acme/exporter 1.0.0 -> 1.1.0\n"
    assert _project_files(tmp_path) == before  # neither nestry.lock nor the build moved

    misuse = nestry(live_registry, tmp_path, "update", "-t", str(template), "--keep-exports")
    assert misuse.exit_code == 2 and "only applies with --flatten" in misuse.output
    for flag in ("--offline", "--frozen"):  # README, "Install": update needs the registry
        refused = nestry(live_registry, tmp_path, "update", "-t", str(template), flag)
        assert refused.exit_code == 2
        refusal = f"Error: update asks the registry for newer versions; it cannot run with {flag}"
        assert refusal in refused.output
        assert f"hint: nestry install {flag} installs what nestry.lock pins." in refused.output
    assert _project_files(tmp_path) == before

    args = ("update", "-t", str(template), "--flatten", "--keep-exports", "--json")
    updated = nestry(live_registry, tmp_path, *args)
    assert updated.exit_code == 0, updated.output
    report = json.loads(updated.stdout)
    assert report["changes"] == json.loads(planned.stdout)["changes"]
    assert report["flatten"] == {"settled": {"ExpIsProd": False}, "dropped": ["ExpAlarm"]}
    built = load_template((tmp_path / ".nestry" / "build" / "template.yaml").read_text())
    assert {"ExpTopic", "ExpQueue"} <= set(built["Resources"])  # inlined, from 1.1.0
    assert "AWS::CloudFormation::Stack" not in {r["Type"] for r in built["Resources"].values()}
    assert built["Outputs"]["ExpTopicArn"]["Export"] == {"Name": "shared-topic"}
    assert '"version": "1.1.0"' in (tmp_path / "nestry.lock").read_text()
    again = nestry(live_registry, tmp_path, "update", "-t", str(template), "--dry-run")
    assert again.stdout == "Nothing to update.\n"


def test_lock_is_reused_after_login_spells_the_registry_differently(
    live_registry: Any, tmp_path: Path
) -> None:
    publish(live_registry, "2.1.0")
    port = live_registry.url.rsplit(":", 1)[1]
    template = tmp_path / "template.yaml"
    template.write_text(user_template(("TweetSource", APP, "^2.0.0", TWITTER_PARAMETERS)))

    def nestry_as(config: str, *args: str, stdin: str | None = None) -> Result:
        env = {
            "XDG_CONFIG_HOME": str(tmp_path / config),
            "HOME": str(tmp_path),
            "NESTRY_CACHE_DIR": str(tmp_path / "cache"),
        }
        result = CliRunner().invoke(cli, list(args), obj=Context(env=env), input=stdin)
        assert result.exit_code == 0, result.output
        return result

    token = live_registry.admin_token + "\n"
    nestry_as("a", "login", "--registry", f"http://localhost:{port}", "--token-stdin", stdin=token)
    nestry_as("a", "install", "-t", str(template))
    lock = (tmp_path / "nestry.lock").read_bytes()
    publish(live_registry, "2.2.0")  # a re-resolution would move to it

    login = ("login", "--registry", f"http://LOCALHOST:{port}/", "--token-stdin")
    nestry_as("b", *login, stdin=token)
    report = json.loads(nestry_as("b", "install", "-t", str(template), "--json").stdout)
    assert report["tree"][0]["version"] == "2.1.0"
    assert report["lockfile_changed"] is False
    assert (tmp_path / "nestry.lock").read_bytes() == lock


class RecordingContext(Context):
    """Notes, when click closes the command's context, which HTTP clients were still open."""

    still_open: list[bool]

    def close(self) -> None:
        self.still_open = [not http.is_closed for http in self._opened]
        super().close()


def test_install_closes_its_registry_clients_when_it_ends(
    live_registry: Any, tmp_path: Path
) -> None:
    publish(live_registry, "2.1.0")
    template = tmp_path / "template.yaml"
    template.write_text(user_template(("TweetSource", APP, "^2.0.0", TWITTER_PARAMETERS)))
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path),
        "NESTRY_REGISTRY": live_registry.url,
        "NESTRY_CACHE_DIR": str(tmp_path / "cache"),
    }
    for command in ("install", "tree", "outdated", "update"):
        state = RecordingContext(env=env)
        result = CliRunner().invoke(cli, [command, "-t", str(template)], obj=state)
        assert result.exit_code == 0, result.output
        assert True not in state.still_open, command
        assert state.still_open or command != "install"  # install did open one (no lock yet)
