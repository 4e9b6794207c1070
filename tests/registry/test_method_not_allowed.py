"""A method a path does not serve: 405 with an ``Allow`` naming every method the spec lists
for that path (and HEAD with GET), never only those of the first route that matched."""

from __future__ import annotations

import re

import httpx

from registry.openapi.document import SPEC

METHODS = ("GET", "PUT", "POST", "PATCH", "DELETE")


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path).replace("versions/x", "versions/1.0.0")


async def test_every_path_answers_405_with_the_methods_the_spec_lists(
    api: httpx.AsyncClient,
) -> None:
    checked = 0
    for path, item in SPEC["paths"].items():
        documented = {method.upper() for method in item if method.upper() in METHODS}
        allowed = documented | ({"HEAD"} if "GET" in documented else set())
        for method in sorted(set(METHODS) - documented):
            response = await api.request(method, concrete(path))
            assert response.status_code == 405, (method, path, response.text)
            assert response.json()["error"]["code"] == "method_not_allowed"
            header = response.headers.get("allow", "")
            assert set(header.split(", ")) == allowed, (method, path, header)
            checked += 1
    assert checked > 50
