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

from msgspec import UNSET
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from client.paths import version_path
from client.resolution import LIMITS, Failed, Node, ResolveLimitError, drive_async, resolve
from client.resolution import Request as ResolveRequest
from registry.errors import ApiError
from registry.resolve.shapes import Resolved, ResolveResponse, Unresolved
from registry.resolve.shapes import ResolveRequest as ResolveBody
from registry.resolve.source import database_source
from registry.sar import aliases
from registry.serving.bodies import parse_body
from registry.serving.context import reader_of, state_of
from registry.serving.responses import shaped
from registry.serving.shapes import ErrorDetail


async def resolve_endpoint(request: Request) -> Response:
    requests, recursive = _parse(await parse_body(request, ResolveBody))
    state = state_of(request)
    principal = await reader_of(request)
    hosts = {h.lower() for h in (state.registry_host, request.headers.get("host")) if h}
    lists = state.version_lists
    async with database_source(state.database, principal, lists, hosts) as source:
        requests = await aliases.through_aliases(await source.opened(), requests)
        try:
            nodes = await drive_async(resolve(requests, recursive=recursive), source)
        except ResolveLimitError as exc:
            raise ApiError(exc.code, f"{exc.message} ({exc.hint})") from None
    return shaped(ResolveResponse(results=[node_document(n) for n in nodes]))


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
