"""Organization endpoints over a ``RegistryClient``: namespaces, members, policies, tokens,
audit (registry ``/v1/namespaces``, ``/v1/apps/{ns}/{name}/policy``, ``/v1/tokens``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from client.api.client import RegistryClient, app_path
from client.names import AppId


def _ns(namespace: str) -> str:
    return f"/v1/namespaces/{quote(namespace, safe='')}"


def create_namespace(
    client: RegistryClient, name: str, *, kind: str, default_visibility: str
) -> dict[str, Any]:
    body = {"name": name, "kind": kind, "default_visibility": default_visibility}
    return client.call("POST", "/v1/namespaces", body)


def my_namespaces(client: RegistryClient) -> dict[str, Any]:
    """``{"user", "namespaces": [{"namespace", "kind", "default_visibility", "role",
    "covered"}]}`` (``covered``: the calling token may act there)."""
    return client.call("GET", "/v1/namespaces")


def members(client: RegistryClient, namespace: str) -> dict[str, Any]:
    return client.call("GET", f"{_ns(namespace)}/members")


def set_member(client: RegistryClient, namespace: str, user: str, role: str) -> dict[str, Any]:
    path = f"{_ns(namespace)}/members/{quote(user, safe='')}"
    return client.call("PUT", path, {"role": role})


def remove_member(client: RegistryClient, namespace: str, user: str) -> dict[str, Any]:
    return client.call("DELETE", f"{_ns(namespace)}/members/{quote(user, safe='')}")


def audit(client: RegistryClient, namespace: str, limit: int) -> dict[str, Any]:
    return client.call("GET", f"{_ns(namespace)}/audit?limit={limit}")


def policy(client: RegistryClient, app: AppId) -> dict[str, Any]:
    return client.call("GET", f"{app_path(app)}/policy")


def put_policy(client: RegistryClient, app: AppId, body: dict[str, Any]) -> dict[str, Any]:
    return client.call("PUT", f"{app_path(app)}/policy", body)


def tokens(client: RegistryClient) -> dict[str, Any]:
    return client.call("GET", "/v1/tokens")


def create_token(client: RegistryClient, body: dict[str, Any]) -> dict[str, Any]:
    return client.call("POST", "/v1/tokens", body)


def revoke_token(client: RegistryClient, token_id: int) -> dict[str, Any]:
    return client.call("DELETE", f"/v1/tokens/{token_id}")


def with_grant(current: dict[str, Any], grantee: dict[str, Any]) -> list[dict[str, Any]]:
    """The policy's grants with ``grantee`` added or replaced (pure)."""
    key = "namespace" if "namespace" in grantee else "user"
    kept = [g for g in current.get("grants", []) if g.get(key) != grantee[key]]
    return [*kept, grantee]


def without_grant(current: dict[str, Any], key: str, name: str) -> list[dict[str, Any]]:
    return [g for g in current.get("grants", []) if g.get(key) != name]
