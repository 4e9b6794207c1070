"""``POST /v1/resolve``: many (application, range) requests, recursively, in one round trip.

Each result is a resolved node or ``{"application", "range", "error"}``; one bad request never
fails the others. Dependencies list only registry references (SAR, local and URL references
are in the version document); each dependency carries ``path``, its logical id in the parent.
A reference naming another registry host is a ``foreign_registry`` error node: the client
resolves it there. An application ARN this registry answers to (its own ``arn:nestry:``, or a
SAR ARN with an alias, ``registry.sar.aliases``) resolves as its ``namespace/name``.
With ``"recursive": false`` every ``dependencies`` list is empty.
``template_path`` is where the template sits inside its bundle (null: the bundle root).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from client.paths import version_path
from client.resolution import LIMITS, Failed, Node, ResolveLimitError, drive_async, resolve
from client.resolution import Request as ResolveRequest
from registry.errors import ApiError
from registry.resolve.source import database_source
from registry.sar import aliases
from registry.serving.bodies import json_object, only_keys
from registry.serving.context import reader_of, state_of


async def resolve_endpoint(request: Request) -> Response:
    requests, recursive = _parse(await json_object(request))
    state = state_of(request)
    principal = await reader_of(request)
    hosts = {h.lower() for h in (state.registry_host, request.headers.get("host")) if h}
    lists = state.version_lists
    async with database_source(state.database, principal, lists, hosts) as source:
        requests = await aliases.through_aliases(source.opened, requests)
        try:
            nodes = await drive_async(resolve(requests, recursive=recursive), source)
        except ResolveLimitError as exc:
            raise ApiError(exc.code, f"{exc.message} ({exc.hint})") from None
    return JSONResponse({"results": [node_document(n) for n in nodes]})


def _parse(body: dict[str, Any]) -> tuple[list[ResolveRequest], bool]:
    only_keys(body, {"requests", "recursive"})
    items, recursive = body.get("requests"), body.get("recursive", True)
    if not isinstance(items, list) or not items:
        raise ApiError("invalid_request", "requests must be a non-empty list")
    if len(items) > LIMITS.max_fan_out:
        raise ApiError("resolve_too_large", f"at most {LIMITS.max_fan_out} requests per call")
    if not isinstance(recursive, bool):
        raise ApiError("invalid_request", "recursive must be true or false")
    return [_request(i, item) for i, item in enumerate(items)], recursive


def _request(index: int, item: object) -> ResolveRequest:
    if (
        not isinstance(item, dict)
        or set(item) != {"application", "range"}
        or not all(isinstance(v, str) for v in item.values())
    ):
        raise ApiError(
            "invalid_request",
            f'requests[{index}] must be {{"application": "ns/name", "range": "^1.0.0"}}',
        )
    return ResolveRequest(item["application"], item["range"])


def node_document(node: Node) -> dict[str, Any]:
    head: dict[str, Any] = {"application": node.application, "range": node.range}
    if node.path is not None:
        head = {"path": node.path, **head}
    if isinstance(node, Failed):
        return {**head, "error": {"code": node.code, "message": node.message}}
    found = node.found
    path = version_path(node.display, found.version)
    return {
        **head,
        "version": found.version,
        "digest": found.digest,
        "template_url": f"{path}/template",
        "bundle_url": f"{path}/bundle" if found.bundle_digest else None,
        "bundle_digest": found.bundle_digest,
        "template_path": found.template_path,
        "dependencies": [node_document(d) for d in node.dependencies],
    }


routes: list[BaseRoute] = [Route("/v1/resolve", resolve_endpoint, methods=["POST"])]
