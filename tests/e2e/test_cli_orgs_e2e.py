"""The organization commands against a real registry: namespace, share, token, audit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result
from corpus import CORPUS

from client.cli import cli
from client.commands.context import Context

JANITOR = CORPUS / "lumigo-io__SAR-Lambda-Janitor__template.yaml"


@pytest.fixture
def nestry(live_registry: Any, tmp_path: Path) -> Any:
    def run(*args: str, token: str, expect: int = 0) -> Result:
        env = {
            "HOME": str(tmp_path / "home"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "NESTRY_REGISTRY": live_registry.url,
            "NESTRY_TOKEN": token,
        }
        result = CliRunner().invoke(cli, list(args), obj=Context(env=env))
        assert "Traceback" not in result.output
        assert result.exit_code == expect, result.output
        return result

    return run


def _json(result: Result) -> Any:
    return json.loads(result.stdout)


def test_an_organization_end_to_end(
    nestry: Any, live_registry: Any, publish_token_factory: Any, tmp_path: Path
) -> None:
    olga = publish_token_factory("olga", scope="admin", user="olga")
    publish_token_factory("dev-home", user="dev")
    partner = publish_token_factory("partner", user="pat")
    nestry("namespace", "create", "acme-corp", token=olga)
    nestry("namespace", "add-member", "acme-corp", "dev", "--role", "publisher", token=olga)
    members = _json(nestry("namespace", "members", "acme-corp", "--json", token=olga))
    assert members["members"] == [
        {"user": "dev", "role": "publisher"},
        {"user": "olga", "role": "owner"},
    ]

    app_dir = tmp_path / "janitor"
    app_dir.mkdir()
    shutil.copyfile(JANITOR, app_dir / "template.yaml")
    (app_dir / "README.md").write_text("# Janitor\n")
    (app_dir / "LICENSE.txt").write_text("MIT\n")
    nestry("publish", str(app_dir / "template.yaml"), "-n", "acme-corp", token=olga)
    app_url = f"{live_registry.url}/v1/apps/acme-corp/lambda-janitor"
    assert httpx.get(app_url).status_code == 404  # private: the org's default
    as_partner = {"Authorization": f"Bearer {partner}"}
    assert httpx.get(app_url, headers=as_partner).status_code == 404

    shared = nestry("share", "acme-corp/lambda-janitor", "--with", "partner", "--nest", token=olga)
    assert "shared with: partner (nest)" in shared.stdout
    assert httpx.get(app_url, headers=as_partner).status_code == 200
    nestry("unshare", "acme-corp/lambda-janitor", "--with", "partner", token=olga)
    assert httpx.get(app_url, headers=as_partner).status_code == 404

    created = nestry("token", "create", "--namespace", "acme-corp", "--scope", "read", token=olga)
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("nst_")
    assert httpx.get(app_url, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listed = _json(nestry("token", "list", "--json", token=olga))["tokens"]
    new = next(t for t in listed if secret.startswith(t["prefix"]) and t["scope"] == "read")
    nestry("token", "revoke", str(new["id"]), token=olga)
    nestry("whoami", token=secret, expect=4)

    log = _json(nestry("audit", "acme-corp", "--json", token=olga))
    actions = {e["action"] for e in log["events"]}
    assert {"namespace_create", "member_set", "publish", "policy_change"} <= actions
    assert {"token_create", "token_revoke"} <= actions
    nestry("audit", "acme-corp", token=partner, expect=3)  # not a member: not found
    nestry("namespace", "remove-member", "acme-corp", "dev", token=olga)


def test_an_owner_gives_a_new_member_a_token(nestry: Any, publish_token_factory: Any) -> None:
    olga = publish_token_factory("olga", scope="admin", user="olga")
    publish_token_factory("dev-home", user="dev")  # dev exists; acme-corp is not theirs yet
    publish_token_factory("partner", user="pat")  # exists, never a member of acme-corp
    nestry("namespace", "create", "acme-corp", token=olga)
    nestry("namespace", "add-member", "acme-corp", "dev", "--role", "reader", token=olga)
    flags = ["--namespace", "acme-corp", "--scope", "publish"]

    weak = nestry("token", "create", "--for", "dev", *flags, token=olga, expect=1)
    assert "Error: 'dev' is a reader of 'acme-corp': a publish token needs" in weak.stderr
    assert "hint: A token never raises a role" in weak.stderr
    for name in ("ghost", "pat"):  # unknown, or not a member: told alike
        outsider = nestry("token", "create", "--for", name, *flags, token=olga, expect=1)
        assert f"Error: '{name}' is not a member of 'acme-corp'" in outsider.stderr
        assert "hint: Add them first: `nestry namespace add-member" in outsider.stderr

    nestry("namespace", "add-member", "acme-corp", "dev", "--role", "publisher", token=olga)
    made = nestry("token", "create", "--for", "dev", *flags, token=olga)
    head, secret = made.stdout.strip().splitlines()
    assert head.startswith("New publish token ") and head.endswith(
        " for dev on acme-corp (shown only once):"
    )
    assert secret.startswith("nst_")

    assert nestry("whoami", token=secret).stdout.startswith("dev on ")
    listed = _json(nestry("token", "list", "--json", token=secret))["tokens"]
    mine = [t for t in listed if secret.startswith(t["prefix"])]
    assert [(t["scope"], t["namespaces"]) for t in mine] == [("publish", ["acme-corp"])]
    # dev's token may publish, never manage tokens: the hint says whom to ask, and how.
    refused = nestry("token", "create", *flags, token=secret, expect=4)
    assert "Error: managing tokens needs a token with the admin scope" in refused.stderr
    assert "hint: Your token may not do this: ask an owner of the namespace" in refused.stderr
    assert "`nestry token create --for YOUR_USER" in refused.stderr

    log = _json(nestry("audit", "acme-corp", "--json", token=olga))["events"]
    event = next(e for e in log if e["action"] == "token_create")
    assert (event["actor"], event["details"]["user"]) == ("olga", "dev")
    assert event["details"]["token_id"] == mine[0]["id"]

    nestry("token", "revoke", str(mine[0]["id"]), token=secret)
    nestry("whoami", token=secret, expect=4)
