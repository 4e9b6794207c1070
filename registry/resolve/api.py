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

from msgspec import UNSET
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from client.paths import version_path
from client.resolution import LIMITS, Failed, Node, ResolveLimitError, drive_async, resolve
from client.resolution import Request as ResolveRequest
from registry.errors import ApiError
from registry.resolve.cache import AppEntry, answer_key
from registry.resolve.shapes import Resolved, ResolveResponse, Unresolved
from registry.resolve.shapes import ResolveRequest as ResolveBody
from registry.resolve.source import database_source
from registry.sar import aliases
from registry.serving.bodies import MAX_JSON_BYTES, fit_bytes, read_limited
from registry.serving.context import reader_of, state_of
from registry.serving.responses import shaped
from registry.serving.shapes import ErrorDetail


async def resolve_endpoint(request: Request) -> Response:
    body = await read_limited(request, MAX_JSON_BYTES)
    state, host = state_of(request), request.headers.get("host")
    lists = state.version_lists
    key = answer_key(host, body)
    kept = lists.answer(key)
    if kept is not None:
        await reader_of(request)  # kept answers are all public: anyone allowed to read
        return Response(kept, media_type="application/json")
    epoch = lists.epoch  # before anything is read: see VersionLists.remember
    requests, recursive = _parse(fit_bytes(body, ResolveBody))
    principal = await reader_of(request)
    hosts = {h.lower() for h in (state.registry_host, host) if h}
    async with database_source(state.database, principal, lists, hosts) as source:
        named = await aliases.through_aliases(source.opened, requests)
        try:
            nodes = await drive_async(resolve(named, recursive=recursive), source)
        except ResolveLimitError as exc:
            raise ApiError(exc.code, f"{exc.message} ({exc.hint})") from None
    response = shaped(ResolveResponse(results=[node_document(n) for n in nodes]))
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


def _parse(body: ResolveBody) -> tuple[list[ResolveRequest], bool]:
    if len(body.requests) > LIMITS.max_fan_out:
        raise ApiError("resolve_too_large", f"at most {LIMITS.max_fan_out} requests per call")
    return [ResolveRequest(r.application, r.range) for r in body.requests], body.recursive


def node_document(node: Node) -> Resolved | Unresolved:
    path = UNSET if node.path is None else node.path
    if isinstance(node, Failed):
        error = ErrorDetail(code=node.code, message=node.message)
        return Unresolved(application=node.application, range=node.range, path=path, error=error)
    found = node.found
    at = version_path(node.display, found.version)
    return Resolved(
        application=node.application,
        range=node.range,
        path=path,
        version=found.version,
        digest=found.digest,
        template_url=f"{at}/template",
        bundle_url=f"{at}/bundle" if found.bundle_digest else None,
        bundle_digest=found.bundle_digest,
        template_path=found.template_path,
        dependencies=[node_document(d) for d in node.dependencies],
    )


routes: list[BaseRoute] = [Route("/v1/resolve", resolve_endpoint, methods=["POST"])]
