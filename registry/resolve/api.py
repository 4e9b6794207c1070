"""``POST /v1/resolve``: many (application, range) requests, recursively, in one round trip.

Each result is a resolved node or ``{"application", "range", "error"}``; one bad request never
fails the others. Dependencies list only registry references (SAR, local and URL references
are in the version document); each dependency carries ``path``, its logical id in the parent.
A reference naming another registry host is a ``foreign_registry`` error node: the client
resolves it there. An application ARN this registry answers to (its own ``arn:nestry:``, or a
SAR ARN with an alias, ``registry.sar.aliases``) resolves as its ``namespace/name``.
With ``"recursive": false`` every ``dependencies`` list is empty.
``template_path`` is where the template sits inside its bundle (null: the bundle root).

Answers come from version lists kept per application (``registry.resolve.cache``); an answer
showing only public apps is kept whole, by body and host, until one of them changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from client.paths import version_path
from client.resolution import LIMITS, Failed, Node, ResolveLimitError, drive_async, resolve
from client.resolution import Request as ResolveRequest
from registry.errors import ApiError
from registry.resolve.cache import AppEntry, answer_key
from registry.resolve.source import database_source
from registry.sar import aliases
from registry.serving.bodies import MAX_JSON_BYTES, only_keys, parse_object, read_limited
from registry.serving.context import reader_of, state_of


async def resolve_endpoint(request: Request) -> Response:
    body = await read_limited(request, MAX_JSON_BYTES)
    state, host = state_of(request), request.headers.get("host")
    lists = state.version_lists
    key = answer_key(host, body)
    kept = lists.answer(key)
    if kept is not None:
        await reader_of(request)  # kept answers are all public: anyone allowed to read
        return Response(kept, media_type=JSONResponse.media_type)
    epoch = lists.epoch  # before anything is read: see VersionLists.remember
    requests, recursive = _parse(parse_object(body))
    principal = await reader_of(request)
    hosts = {h.lower() for h in (state.registry_host, host) if h}
    async with database_source(state.database, principal, lists, hosts) as source:
        named = await aliases.through_aliases(source.opened, requests)
        try:
            nodes = await drive_async(resolve(named, recursive=recursive), source)
        except ResolveLimitError as exc:
            raise ApiError(exc.code, f"{exc.message} ({exc.hint})") from None
    response = JSONResponse({"results": [node_document(n) for n in nodes]})
    offered = source.offered.values()
    if not aliases.names_an_arn(requests) and _for_everyone(nodes) and all(map(_public, offered)):
        # The same bytes for every caller allowed to resolve (no ARN: aliases are not watched).
        lists.remember(key, bytes(response.body), {e.app_id for e in offered}, epoch)
    return response


def _public(entry: AppEntry) -> bool:
    return entry.access.visibility == "public"


def _for_everyone(nodes: Iterable[Node]) -> bool:
    """No node is missing (``app_not_found`` may mean "not readable by this caller")."""
    pending = list(nodes)
    while pending:
        node = pending.pop()
        if isinstance(node, Failed):
            if node.code == "app_not_found":
                return False
        else:
            pending.extend(node.dependencies)
    return True


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
