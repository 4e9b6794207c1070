"""``nestry install`` resolves SAR ARNs that the registry serves (issue 15): through an alias
(``nestry-registry alias add``) or as its own ``arn:nestry:`` ARN; other ARNs stay for SAM."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner
from install_support import Env, locked_versions, user_template

from client.install.cache import Cache
from client.install.pipeline import InstallOptions, install
from client.install.sources import ClientFactory
from registry.cli import main as registry_cli

REAL = "arn:aws:serverlessrepo:us-east-1:077246666028:applications/lambda-janitor"
UNKNOWN = "arn:aws:serverlessrepo:us-east-1:123456789012:applications/elsewhere"
LEAF = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Topic:
    Type: AWS::SNS::Topic
"""


@pytest.fixture
def env(live_registry: Any, tmp_path: Path) -> Iterator[Env]:
    project = tmp_path / "project"
    project.mkdir()
    with httpx.Client(timeout=30) as http:
        yield Env(
            live_registry.url, live_registry.admin_token, Cache(tmp_path / "cache"), project, http
        )


def _install(env: Env, **options: Any) -> None:
    # The CLI's factory: the default registry is asked about the user template's SAR ARNs.
    clients = ClientFactory(lambda app: env.url, lambda url: env.client(url), env.url)
    opts = InstallOptions(template=env.project / "template.yaml", **options)
    install(opts, clients=clients, cache=env.cache)


def _built(env: Env, path: str = "template.yaml") -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((env.project / ".nestry/build" / path).read_text())
    return document["Resources"]


def test_aliased_and_own_arns_install_like_registry_ids(env: Env, live_registry: Any) -> None:
    env.publish("mirror/lambda-janitor", "1.6.0", LEAF, {"description": "d", "author": "a"})
    wrapper = user_template(("Janitor", REAL, "^1.0.0", "")).replace(
        "Resources:", "Description: wrapper\nResources:"
    )
    env.publish("acme/wrapper", "1.0.0", wrapper, {"description": "d", "author": "a"})
    own = httpx.get(f"{env.url}/sar/applications/mirror%2Flambda-janitor").json()["applicationId"]
    assert own.startswith("arn:nestry:serverlessrepo:")
    env.write_user(
        user_template(
            ("Janitor", REAL, "^1.0.0", ""),
            ("Own", own, "1.6.0", ""),
            ("Elsewhere", UNKNOWN, "1.0.0", ""),
            ("Wrapper", "acme/wrapper", "1.0.0", ""),
        )
    )

    _install(env)  # no alias yet: the SAR references are left to SAM
    resources = _built(env)
    assert resources["Janitor"]["Type"] == "AWS::Serverless::Application"
    assert resources["Own"]["Type"] == "AWS::CloudFormation::Stack"  # its own ARN: always served

    variables = {
        "NESTRY_DATABASE_URL": live_registry.settings.database_url,
        "NESTRY_DATA_DIR": str(live_registry.settings.data_dir),
    }
    added = CliRunner().invoke(
        registry_cli, ["alias", "add", REAL, "mirror/lambda-janitor"], env=variables
    )
    assert added.exit_code == 0, added.output

    _install(env)
    assert locked_versions(env.project) == {
        "Janitor": "1.6.0",
        "Own": "1.6.0",
        "Wrapper": "1.0.0",
        "Wrapper/Janitor": "1.6.0",
    }
    lock = json.loads((env.project / "nestry.lock").read_text())["references"]
    assert lock["Janitor"]["application"] == "mirror/lambda-janitor"
    resources = _built(env)
    leaf = "apps/mirror/lambda-janitor/1.6.0/template.yaml"
    for logical_id in ("Janitor", "Own"):
        assert resources[logical_id]["Type"] == "AWS::CloudFormation::Stack"
        assert resources[logical_id]["Properties"]["TemplateURL"] == leaf
    assert resources["Elsewhere"]["Type"] == "AWS::Serverless::Application"  # no alias: SAM's
    assert resources["Elsewhere"]["Properties"]["Location"]["ApplicationId"] == UNKNOWN
    nested = _built(env, "apps/acme/wrapper/1.0.0/template.yaml")["Janitor"]
    assert nested["Type"] == "AWS::CloudFormation::Stack"
    assert (
        nested["Properties"]["TemplateURL"] == "../../../mirror/lambda-janitor/1.6.0/template.yaml"
    )

    # Offline, nestry.lock says which app serves each ARN: the same build, byte for byte.
    before = env.snapshot()
    _install(env, offline=True, frozen=True)
    assert env.snapshot() == before
