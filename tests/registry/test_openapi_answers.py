"""Every documented JSON success answer, produced for real once, validates against the schema
the generated spec declares for it. The builders construct the declared shapes and the answers
are encoded from them, so an undeclared field cannot ship; this checks what construction does
not: the values (types, patterns, ranges: msgspec does not validate what it encodes), and that
each operation's answer is the shape its spec entry names.

Schemathesis checks answers too, but its made-up requests rarely succeed on writes; this tour
succeeds at each operation once and fails when an operation with a JSON answer is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import jsonschema
from registry_samples import nested, template

from registry.openapi.document import SPEC
from registry.settings import Settings


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _operation(method: str, url: str) -> tuple[str, str]:
    """The spec's (path template, method) that ``url`` is an instance of."""
    path = url.split("?")[0]
    for template_path, item in SPEC["paths"].items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template_path))
        if re.fullmatch(pattern, path) and method in item:
            return template_path, method
    raise AssertionError(f"{method} {url} is not in the spec")


def _json_successes() -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in SPEC["paths"].items()
        for method, operation in item.items()
        for status, answer in operation["responses"].items()
        if status.startswith("2")
        and "$ref" in answer.get("content", {}).get("application/json", {}).get("schema", {})
    }


async def test_every_json_answer_fits_its_generated_schema(
    api: httpx.AsyncClient,
    publish: Callable[..., Any],
    publish_token_factory: Callable[..., str],
    settings: Settings,
) -> None:
    boss = publish_token_factory("boss-home", scope="admin", user="boss")
    publish_token_factory("dev-home", user="dev")
    seen: set[tuple[str, str]] = set()

    async def call(method: str, url: str, status: int = 200, **kwargs: Any) -> Any:
        answer = await api.request(method.upper(), url, headers=bearer(boss), **kwargs)
        assert answer.status_code == status, (method, url, answer.text)
        path, verb = _operation(method, url)
        schema = SPEC["paths"][path][verb]["responses"][str(status)]["content"]
        document = {**schema["application/json"]["schema"], "components": SPEC["components"]}
        jsonschema.validate(answer.json(), document)
        seen.add((path, verb))
        return answer.json()

    await call("get", "/healthz")
    await call("get", "/v1/whoami")
    await call("post", "/v1/namespaces", 201, json={"name": "acme-corp"})
    await call("get", "/v1/namespaces/acme-corp")
    assert "acme-corp" in {
        n["namespace"] for n in (await call("get", "/v1/namespaces"))["namespaces"]
    }
    await call("patch", "/v1/namespaces/acme-corp", json={"default_visibility": "public"})
    await call("put", "/v1/namespaces/acme-corp/members/dev", json={"role": "reader"})
    await call("get", "/v1/namespaces/acme-corp/members")
    await call("delete", "/v1/namespaces/acme-corp/members/dev")
    base = await publish("acme-corp", "base", "1.0.0", template(name="base"), token=boss)
    assert base.status_code == 201, base.text
    web = template(name="web", extra_resources=nested("Base", "acme-corp/base", "^1"))
    files = {"template": ("template.yaml", web.encode())}
    await call("put", "/v1/apps/acme-corp/web/versions/1.0.0", 201, files=files)
    await call("put", "/v1/apps/acme-corp/web/versions/1.0.0", 200, files=files)
    await call("get", "/v1/apps/acme-corp/web")
    await call("get", "/v1/apps/acme-corp/web/versions/1.0.0")
    await call("patch", "/v1/apps/acme-corp/web", json={"labels": ["x"], "description": None})
    await call("get", "/v1/apps?q=web")
    await call("put", "/v1/apps/acme-corp/web/dist-tags/beta", json={"version": "1.0.0"})
    await call("delete", "/v1/apps/acme-corp/web/dist-tags/beta")
    await call("post", "/v1/apps/acme-corp/web/versions/1.0.0/yank", json={"reason": "x"})
    await call("post", "/v1/apps/acme-corp/web/versions/1.0.0/unyank")
    await call("post", "/v1/apps/acme-corp/web/versions/1.0.0/deprecate", json={"message": "m"})
    ask = {"requests": [{"application": "acme-corp/web", "range": "1.0.0"}]}
    resolved = await call("post", "/v1/resolve", json=ask)
    assert resolved["results"][0]["dependencies"][0]["application"] == "acme-corp/base"
    missing = {"requests": [{"application": "acme-corp/none", "range": "^1"}]}
    assert "error" in (await call("post", "/v1/resolve", json=missing))["results"][0]
    await call("get", "/v1/apps/acme-corp/base/dependents")
    grants = [{"namespace": "dev-home", "nest": True}, {"user": "dev"}]
    await call("put", "/v1/apps/acme-corp/base/policy", json={"grants": grants})
    await call("get", "/v1/apps/acme-corp/base/policy")
    await call("get", "/v1/namespaces/acme-corp/audit?limit=5")
    token = await call("post", "/v1/tokens", 201, json={"namespaces": ["acme-corp"]})
    await call("get", "/v1/tokens")
    await call("delete", f"/v1/tokens/{token['id']}")
    await call("delete", "/v1/apps/acme-corp/web")
    assert _json_successes() - seen == set(), "JSON answers the tour does not produce"
