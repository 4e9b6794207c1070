"""The CLI against a real registry (uvicorn, real database): login to add, and lifecycle."""

from __future__ import annotations

import contextlib
import json
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any  # the live_registry fixture's LiveRegistry (tests/conftest.py)

import pytest
from click.testing import CliRunner, Result
from corpus import CORPUS

from client.cli import cli
from client.commands.context import Context
from client.template import LocationKind, parse_template

JANITOR = CORPUS / "lumigo-io__SAR-Lambda-Janitor__template.yaml"
TWITTER = CORPUS / "awslabs__aws-serverless-twitter-event-source__template.yaml"

Nestry = Callable[..., Result]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def nestry(live_registry: Any, home: Path) -> Nestry:
    """``nestry(*args, stdin=None, expect=0, cwd=None, **env)``: run the CLI in-process with its
    own dirs (in ``cwd`` when given)."""

    def run(
        *args: str,
        stdin: str | None = None,
        expect: int | None = 0,
        cwd: Path | None = None,
        **env: str,
    ) -> Result:
        environment = {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "NESTRY_REGISTRY": live_registry.url,
            **env,
        }
        with contextlib.chdir(cwd or Path.cwd()):
            result = CliRunner().invoke(cli, list(args), input=stdin, obj=Context(env=environment))
        assert "Traceback" not in result.output
        if expect is not None:
            assert result.exit_code == expect, result.output
        return result

    return run


def janitor_dir(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copyfile(JANITOR, root / "template.yaml")
    (root / "README.md").write_text("# Lambda Janitor\nDeletes old versions.\n")
    (root / "LICENSE.txt").write_text("MIT\n")
    return root / "template.yaml"


def twitter_dir(root: Path) -> Path:
    (root / "app").mkdir(parents=True)
    shutil.copyfile(TWITTER, root / "template.yaml")
    (root / "app" / "index.js").write_text("exports.handler = async () => {};\n")
    return root / "template.yaml"


def login(nestry: Nestry, live_registry: Any) -> None:
    result = nestry(
        "login",
        "--registry",
        live_registry.url,
        "--token-stdin",
        stdin=live_registry.admin_token + "\n",
    )
    assert result.stdout == f"Logged in to {live_registry.url} as admin.\n"


def test_login_publish_search_info_add(
    nestry: Nestry, live_registry: Any, home: Path, tmp_path: Path
) -> None:
    login(nestry, live_registry)
    config = home / "config" / "nestry" / "config.toml"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert live_registry.admin_token in config.read_text()
    assert nestry("whoami").stdout == f"admin on {live_registry.url}\n"

    janitor = janitor_dir(tmp_path / "janitor")
    published = nestry("publish", str(janitor), "--namespace", "lumigo")
    assert published.stdout.startswith(
        f"Published lumigo/lambda-janitor@1.7.0 to {live_registry.url} (sha256:"
    )
    again = nestry("publish", str(janitor), "--namespace", "lumigo")
    assert again.stdout.startswith("Already published (identical) lumigo/lambda-janitor@1.7.0")

    twitter = twitter_dir(tmp_path / "twitter")
    flags = [
        "--name",
        "twitter-event-source",
        "--description",
        "Tweets as events",
        "--author",
        "awslabs",
        "--label",
        "twitter",
        "--license",
        "MIT",
    ]
    result = nestry("publish", str(twitter), "-n", "acme", "--version", "2.1.0", *flags, "--json")
    answer = json.loads(result.stdout)
    assert answer["created"] is True and answer["bundle_files"] == {"app/index.js": 34}

    hits = json.loads(nestry("search", "janitor", "--json").stdout)["results"]
    assert [h["application"] for h in hits] == ["lumigo/lambda-janitor"]
    assert "acme/twitter-event-source" in nestry("search", "tweets", "--label", "twitter").stdout

    info = nestry("info", "acme/twitter-event-source@^2").stdout
    assert info.startswith("acme/twitter-event-source@2.1.0  sha256:")
    rows = [line.split() for line in info.splitlines()]
    assert ["SearchText", "String", "required", "-"] in rows
    assert ["StreamModeEnabled", "String", "default", "false", "true,", "false"] in rows
    assert ["TwitterSearchPollerFunctionArn", "-"] in rows
    assert (
        "Capabilities: CAPABILITY_AUTO_EXPAND, CAPABILITY_IAM, CAPABILITY_RESOURCE_POLICY" in info
    )
    assert "2.1.0" in nestry("versions", "acme/twitter-event-source").stdout

    user = tmp_path / "user" / "template.yaml"
    user.parent.mkdir()
    original = "# my stack\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket  # keep me\n"
    user.write_text(original)
    added = nestry("add", "acme/twitter-event-source", "-t", str(user))
    assert (
        "Fill in its required parameters: SearchText, TweetProcessorFunctionName." in added.stdout
    )
    assert f"Then run: nestry install -t {user}" in added.stdout
    edited = user.read_text()
    assert edited.startswith(original)
    reference = parse_template(edited, source="user").reference("TwitterEventSource")
    assert reference.kind == LocationKind.REGISTRY and reference.version_spec == "^2.1.0"
    collision = nestry("add", "acme/twitter-event-source", "-t", str(user), expect=1)
    assert "already has a resource named TwitterEventSource" in collision.stderr
    assert user.read_text() == edited


def test_prompt_login_and_logout(nestry: Nestry, live_registry: Any, home: Path) -> None:
    prompted = nestry("login", stdin=live_registry.admin_token + "\n")
    assert "Token: " in prompted.stderr and live_registry.admin_token not in prompted.output
    assert prompted.stdout == f"Logged in to {live_registry.url} as admin.\n"
    out = nestry("logout", "--json")
    assert json.loads(out.stdout) == {"registry": live_registry.url, "removed": True}
    assert live_registry.admin_token not in (home / "config" / "nestry" / "config.toml").read_text()
    assert nestry("whoami", expect=4).stderr.startswith("Error: ")


def test_install_outdated_update(nestry: Nestry, live_registry: Any, tmp_path: Path) -> None:
    login(nestry, live_registry)
    janitor = janitor_dir(tmp_path / "janitor")
    nestry("publish", str(janitor), "-n", "lumigo")
    user = tmp_path / "user" / "template.yaml"
    user.parent.mkdir()
    user.write_text("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")
    nestry("add", "lumigo/lambda-janitor@1.x", "--as", "Janitor", "-t", str(user))
    result = nestry("install", "-t", str(user))
    assert "Janitor  lumigo/lambda-janitor@1.7.0 (1.x)" in result.stdout
    caps = "CAPABILITY_AUTO_EXPAND CAPABILITY_IAM CAPABILITY_RESOURCE_POLICY"
    assert f"Capabilities needed: {caps}\n" in result.stdout
    assert "Next: sam" in result.stdout
    assert (user.parent / "nestry.lock").is_file()
    assert (user.parent / ".nestry" / "build" / "template.yaml").is_file()
    tree = json.loads(nestry("tree", "-t", str(user), "--json").stdout)
    assert [(e["path"], e["version"]) for e in tree] == [("Janitor", "1.7.0")]
    assert nestry("outdated", "-t", str(user)).stdout == "Everything is up to date.\n"

    nestry("publish", str(janitor), "-n", "lumigo", "--version", "1.8.0")
    rows = json.loads(nestry("outdated", "-t", str(user), "--json", expect=1).stdout)
    assert [(r["current"], r["wanted"], r["latest"]) for r in rows] == [("1.7.0", "1.8.0", "1.8.0")]
    updated = nestry("update", "-t", str(user))
    assert "Janitor: lumigo/lambda-janitor 1.7.0 -> 1.8.0" in updated.stdout
    frozen = nestry("install", "-t", str(user), "--frozen", "--json")
    assert json.loads(frozen.stdout)["tree"][0]["version"] == "1.8.0"


def test_lifecycle_commands(nestry: Nestry, live_registry: Any, tmp_path: Path) -> None:
    env = {"NESTRY_TOKEN": live_registry.admin_token}
    janitor = janitor_dir(tmp_path / "janitor")
    nestry("publish", str(janitor), "-n", "lumigo", **env)
    nestry("publish", str(janitor), "-n", "lumigo", "--version", "1.8.0", **env)
    nestry("dist-tag", "add", "lumigo/lambda-janitor@1.7.0", "stable", **env)
    tags = json.loads(nestry("dist-tag", "ls", "lumigo/lambda-janitor", "--json").stdout)
    assert tags == {"latest": "1.8.0", "stable": "1.7.0"}
    nestry("dist-tag", "rm", "lumigo/lambda-janitor", "stable", **env)
    nestry("yank", "lumigo/lambda-janitor@1.8.0", "--reason", "broken", **env)
    versions = nestry("versions", "lumigo/lambda-janitor").stdout
    assert "yanked: broken" in versions
    assert "lambda-janitor@1.7.0" in nestry("info", "lumigo/lambda-janitor").stdout
    nestry("unyank", "lumigo/lambda-janitor@1.8.0", **env)
    nestry("deprecate", "lumigo/lambda-janitor@1.7.0", "use 1.8", **env)
    versions = json.loads(nestry("versions", "lumigo/lambda-janitor", "--json").stdout)
    by_version = {v["version"]: v for v in versions["versions"]}
    assert by_version["1.7.0"]["deprecated"] == "use 1.8" and by_version["1.8.0"]["yanked"] is False
    forbidden = nestry("yank", "lumigo/lambda-janitor@1.8.0", expect=4)
    assert forbidden.stderr.startswith("Error: ")


def test_lookups_are_case_insensitive(nestry: Nestry, live_registry: Any, tmp_path: Path) -> None:
    """Issue #14: ``nestry info Casalboni/AWS-Lambda-Power-Tuning`` finds the app published as
    lumigo's janitor would be, whatever the ASCII case; a non-ASCII look-alike finds nothing."""
    env = {"NESTRY_TOKEN": live_registry.admin_token}
    nestry("publish", str(janitor_dir(tmp_path / "janitor")), "-n", "lumigo", **env)
    canonical = nestry("info", "lumigo/lambda-janitor", "--json").stdout
    shouted = nestry("info", "Lumigo/LAMBDA-Janitor", "--json").stdout
    assert json.loads(shouted) == json.loads(canonical)
    kelvin = nestry("info", "lumigo/lambda-janitor\u212a", expect=None)
    assert kelvin.exit_code != 0 and "invalid application name" in kelvin.output
