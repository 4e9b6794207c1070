"""The OpenAPI document matches the routes the app really serves, and is self-consistent."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from starlette.routing import Route

from registry.app import create_app
from registry.openapi.document import SPEC, schema_for
from registry.settings import Settings, sqlite_url
from registry.web import routes as web

METHODS = {"get", "put", "post", "patch", "delete"}


def served_operations(tmp_path: Path) -> set[tuple[str, str]]:
    app = create_app(Settings(database_url=sqlite_url(tmp_path / "r.db"), data_dir=tmp_path))
    found = set()
    for route in app.routes:
        if route in web.routes:  # the web UI's pages (docs/web.md), not the API
            continue
        assert isinstance(route, Route), f"unexpected route type {route!r}"
        if route.path.startswith("/sar/"):
            continue  # SAR's API: its contract is botocore's serverlessrepo model (docs/sar.md)
        for method in route.methods or ():
            if method != "HEAD":  # Starlette adds HEAD to every GET
                found.add((route.path, method.lower()))
    return found


def documented_operations() -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in SPEC["paths"].items()
        for method in item
        if method in METHODS
    }


def test_every_route_is_documented_and_nothing_else(tmp_path: Path) -> None:
    served = served_operations(tmp_path)
    documented = documented_operations()
    assert served - documented == set(), "routes missing from registry/openapi/document.py"
    assert documented - served == set(), "documented operations nobody serves"


def walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def test_every_ref_resolves() -> None:
    schemas = SPEC["components"]["schemas"]
    refs = {n["$ref"] for n in walk(SPEC) if isinstance(n, dict) and "$ref" in n}
    assert refs
    for target in refs:
        assert target.startswith("#/components/schemas/")
        assert target.removeprefix("#/components/schemas/") in schemas


@pytest.mark.parametrize("path", sorted(SPEC["paths"]))
def test_path_parameters_are_declared(path: str) -> None:
    in_template = set(re.findall(r"\{(\w+)\}", path))
    for method, operation in SPEC["paths"][path].items():
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert declared == in_template, (path, method)


def test_every_operation_documents_a_success_and_uses_the_error_schema() -> None:
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            assert any(s.startswith("2") for s in statuses), (path, method)
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}


@pytest.mark.parametrize("name", sorted(SPEC["components"]["schemas"]))
def test_component_schemas_are_valid_json_schema(name: str) -> None:
    jsonschema.Draft202012Validator.check_schema(schema_for(name))


def test_error_schema_rejects_a_bare_message() -> None:
    jsonschema.validate({"error": {"code": "app_not_found", "message": "no"}}, schema_for("Error"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"message": "no"}, schema_for("Error"))
