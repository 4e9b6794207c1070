"""``nestry delete`` against a real registry: confirmation, deletion, and the dependents refusal."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from client.api.client import RegistryClient
from client.cli import cli
from client.commands.context import Context
from client.names import parse_app_id

sys.path.insert(0, str(Path(__file__).parents[1] / "registry"))
from registry_samples import nested, template


@pytest.fixture
def nestry(live_registry: Any, tmp_path: Path) -> Any:
    def run(*args: str, token: str, expect: int = 0, stdin: str | None = None) -> Result:
        env = {
            "HOME": str(tmp_path / "home"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "NESTRY_REGISTRY": live_registry.url,
            "NESTRY_TOKEN": token,
        }
        result = CliRunner().invoke(cli, list(args), obj=Context(env=env), input=stdin)
        assert "Traceback" not in result.output
        assert result.exit_code == expect, result.output
        return result

    return run


def _publish(url: str, token: str, app: str, body: str) -> None:
    with RegistryClient(url, token, http=httpx.Client(timeout=30)) as client:
        status, document = client.publish(
            parse_app_id(app),
            "1.0.0",
            template=body.encode(),
            metadata={},
            readme=None,
            license=None,
            bundle=None,
        )
    assert status == 201, document


def _status(url: str, app: str) -> int:
    return httpx.get(f"{url}/v1/apps/{app}", timeout=30).status_code


def test_delete_asks_first_and_then_deletes(
    nestry: Any, live_registry: Any, publish_token_factory: Any
) -> None:
    owner = publish_token_factory("acme", scope="admin", user="olga")
    url = live_registry.url
    _publish(url, owner, "acme/demo", template(name="demo"))
    declined = nestry("delete", "acme/demo", token=owner, stdin="n\n", expect=2)
    assert "was not deleted" in declined.output and "--yes" in declined.output
    assert _status(url, "acme/demo") == 200
    accepted = nestry("delete", "acme/demo", token=owner, stdin="y\n")
    assert "Deleted acme/demo (1 version(s))." in accepted.output
    assert _status(url, "acme/demo") == 404


def test_delete_yes_json_and_the_dependents_refusal(
    nestry: Any, live_registry: Any, publish_token_factory: Any
) -> None:
    owner = publish_token_factory("acme", scope="admin", user="olga")
    url = live_registry.url
    _publish(url, owner, "acme/child", template(name="child"))
    parent = template(name="parent", extra_resources=nested("Child", "acme/child", "^1.0.0"))
    _publish(url, owner, "acme/parent", parent)
    refused = nestry("delete", "acme/child", "--yes", token=owner, expect=1)
    assert "acme/parent@1.0.0" in refused.output and "Error:" in refused.output
    assert _status(url, "acme/child") == 200
    answer = json.loads(nestry("delete", "acme/parent", "--yes", "--json", token=owner).stdout)
    assert answer == {"deleted": "acme/parent", "versions": ["1.0.0"]}
    nestry("delete", "acme/child", "--yes", token=owner)
    assert _status(url, "acme/child") == 404
