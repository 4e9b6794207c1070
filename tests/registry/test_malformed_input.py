"""Malformed input answers 4xx with the error shape, never 500 (issue 13, item 7).

Unicode digits (``²`` is ``isdigit()`` but not ``int()``-able), integers past a 64-bit column,
and NUL bytes (PostgreSQL text cannot hold them) in paths, query parameters and cursors; on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

HUGE = "99999999999999999999"
NUL = "a\x00b"
TEMPLATE = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"


def cursor(*values: Any) -> str:
    raw = json.dumps(list(values)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def assert_client_error(response: httpx.Response, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.text)
    error = response.json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)


@pytest.mark.parametrize("token_id", ["²", "١٢", HUGE, "-1", "0x10", str(2**31)])
async def test_revoking_a_token_id_that_is_no_integer_answers_404(
    api: httpx.AsyncClient, admin_token: str, token_id: str
) -> None:
    headers = {"Authorization": f"Bearer {admin_token}"}
    response = await api.delete(f"/v1/tokens/{token_id}", headers=headers)
    assert_client_error(response, 404)
    assert response.json()["error"]["code"] == "token_not_found"


@pytest.mark.parametrize(
    "query", ["limit=²", "before=²", f"before={HUGE}", f"limit={HUGE}", "before=%00", "limit=0"]
)
async def test_audit_parameters_that_are_no_integers_answer_400(
    api: httpx.AsyncClient, publish_token_factory: Callable[..., str], query: str
) -> None:
    token = publish_token_factory("acme", scope="admin")
    headers = {"Authorization": f"Bearer {token}"}
    ok = await api.get("/v1/namespaces/acme/audit", headers=headers)
    assert ok.status_code == 200, ok.text
    response = await api.get(f"/v1/namespaces/acme/audit?{query}", headers=headers)
    assert_client_error(response, 400)


async def test_audit_before_the_largest_id_still_pages(
    api: httpx.AsyncClient, publish_token_factory: Callable[..., str]
) -> None:
    token = publish_token_factory("acme", scope="admin")
    headers = {"Authorization": f"Bearer {token}"}
    response = await api.get(f"/v1/namespaces/acme/audit?before={2**31 - 1}", headers=headers)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "path",
    [
        "/v1/apps/ac%00me/app",
        "/v1/apps/acme/ap%00p",
        "/v1/apps/acme/app/versions/1.0.0%00",
        "/v1/apps/acme/app/versions/1.0.0%00/template",
        "/v1/apps/acme/app/dependents",
        "/v1/namespaces/ac%00me",
        "/v1/namespaces/acme/members",
        "/v1/apps/acme/app/dist-tags/la%00test",
    ],
)
async def test_nul_bytes_in_paths_answer_4xx(
    api: httpx.AsyncClient, publish: Callable[..., Any], admin_token: str, path: str
) -> None:
    assert (await publish("acme", "app", "1.0.0", TEMPLATE)).status_code == 201
    headers = {"Authorization": f"Bearer {admin_token}"}
    for method in ("GET", "DELETE", "PUT", "PATCH"):
        response = await api.request(method, path.replace("app/", "a%00pp/", 1), headers=headers)
        assert response.status_code < 500, (method, path, response.text)
        response = await api.request(method, path, headers=headers)
        assert response.status_code < 500, (method, path, response.text)


@pytest.mark.parametrize(
    "query",
    [
        "label=a%00b",
        "q=a%00b",
        "namespace=ac%00me",
        "limit=²",
        f"limit={HUGE}",
        "cursor=%00",
        "cursor=" + cursor("downloads", 0, NUL, 1),
        "cursor=" + cursor("downloads", 10**30, "x", 10**30),
    ],
)
async def test_search_parameters_answer_400(api: httpx.AsyncClient, query: str) -> None:
    response = await api.get(f"/v1/apps?{query}")
    assert_client_error(response, 400)


@pytest.mark.parametrize(
    "query",
    [
        "limit=²",
        f"limit={HUGE}",
        "cursor=" + cursor("dependents", NUL, "b", 1, 1),
        "cursor=" + cursor("dependents", "a", "b", 10**30, 1),
    ],
)
async def test_dependents_parameters_answer_400(
    api: httpx.AsyncClient, publish: Callable[..., Any], query: str
) -> None:
    assert (await publish("acme", "app", "1.0.0", TEMPLATE)).status_code == 201
    response = await api.get(f"/v1/apps/acme/app/dependents?{query}")
    assert_client_error(response, 400)


BODIES = [
    ("POST", "/v1/tokens", {"scope": "read", "namespaces": ["acme"], "description": NUL}),
    ("PATCH", "/v1/apps/acme/app", {"description": NUL}),
    ("PATCH", "/v1/apps/acme/app", {"labels": [NUL]}),
    ("POST", "/v1/apps/acme/app/versions/1.0.0/deprecate", {"message": NUL}),
    ("POST", "/v1/apps/acme/app/versions/1.0.0/yank", {"reason": NUL}),
    ("POST", "/v1/namespaces", {"name": NUL}),
    ("PUT", "/v1/apps/acme/app/dist-tags/beta", {"version": NUL}),
]


@pytest.mark.parametrize(("method", "path", "body"), BODIES)
async def test_nul_bytes_in_json_bodies_answer_4xx(
    api: httpx.AsyncClient,
    publish: Callable[..., Any],
    admin_token: str,
    method: str,
    path: str,
    body: dict[str, Any],
) -> None:
    assert (await publish("acme", "app", "1.0.0", TEMPLATE)).status_code == 201
    headers = {"Authorization": f"Bearer {admin_token}"}
    response = await api.request(method, path, json=body, headers=headers)
    assert 400 <= response.status_code < 500, (method, path, response.text)


@pytest.mark.parametrize("field", ["readme", "license"])
async def test_nul_bytes_in_publish_text_fields_answer_4xx(
    publish: Callable[..., Any], field: str
) -> None:
    response = await publish("acme", "app", "1.0.0", TEMPLATE, **{field: "a\x00b"})
    assert 400 <= response.status_code < 500, response.text
