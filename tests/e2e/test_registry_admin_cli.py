"""``nestry-registry user …`` and ``token list|revoke`` on the registry's real database, seen
through the real ``nestry`` against the live registry."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner, Result
from test_cli_e2e import Nestry, home, login, nestry  # noqa: F401 - fixtures

from registry.cli import main


def admin(live_registry: Any, *args: str, expect: int = 0) -> Result:
    env = {
        "NESTRY_DATABASE_URL": live_registry.settings.database_url,
        "NESTRY_DATA_DIR": str(live_registry.settings.data_dir),
    }
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == expect, result.output
    assert "Traceback" not in result.output
    return result


def _users(live_registry: Any) -> dict[str, dict[str, Any]]:
    listed = json.loads(admin(live_registry, "user", "list", "--json").output)
    return {user["name"]: user for user in listed}


def test_users_and_tokens_of_anyone(nestry: Nestry, live_registry: Any) -> None:
    login(nestry, live_registry)
    assert admin(live_registry, "user", "create", "bob").output == "Created user bob.\n"
    assert admin(live_registry, "user", "create", "bob").output == "User bob exists already.\n"
    nestry("namespace", "create", "acme")
    nestry("namespace", "add-member", "acme", "bob", "--role", "publisher")
    created = admin(live_registry, "token", "create", "--user", "bob", "--namespace", "acme")
    secret = created.output.splitlines()[-1]
    assert nestry("whoami", NESTRY_TOKEN=secret, expect=None).stdout.startswith("bob on")

    tokens = json.loads(admin(live_registry, "token", "list", "--user", "bob", "--json").output)
    assert [(t["user"], t["scope"], t["state"]) for t in tokens] == [("bob", "publish", "active")]
    assert secret not in admin(live_registry, "token", "list").output
    users = _users(live_registry)
    assert users["bob"]["active_tokens"] == 1 and users["admin"]["admin"] is True

    assert "revoked 1 token(s)" in admin(live_registry, "user", "disable", "bob").output
    users = _users(live_registry)
    assert users["bob"]["active_tokens"] == 0
    nestry("whoami", NESTRY_TOKEN=secret, expect=4)

    again = admin(live_registry, "token", "create", "--user", "bob", "--namespace", "acme")
    other = again.output.splitlines()[-1]
    listed = json.loads(admin(live_registry, "token", "list", "--user", "bob", "--json").output)
    active = [t["id"] for t in listed if t["state"] == "active"]
    assert len(active) == 1
    admin(live_registry, "token", "revoke", str(active[0]))
    nestry("whoami", NESTRY_TOKEN=other, expect=4)
    assert "no token 999999" in admin(live_registry, "token", "revoke", "999999", expect=1).output
    assert "no user 'nobody'" in admin(live_registry, "user", "disable", "nobody", expect=1).output
