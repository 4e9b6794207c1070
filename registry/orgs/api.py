"""``/v1/namespaces``: create a namespace, list the caller's, read one, list and change its
members.

Members (any role) may read a namespace and its member list; owners change members. To anyone
else a namespace answers 404, like a private app. Membership changes are audited and take
effect at once in this process (the principal cache is cleared).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from registry.apps.lookup import path_namespace
from registry.auth.access import has_admin_scope
from registry.auth.credentials import Principal
from registry.db.models import Namespace
from registry.errors import Forbidden, Unauthorized
from registry.orgs import audit
from registry.orgs import service as orgs
from registry.orgs.shapes import (
    MemberBody,
    Members,
    NamespaceCreate,
    NamespaceList,
    NamespacePatch,
)
from registry.orgs.shapes import Namespace as NamespaceAnswer
from registry.serving.bodies import parse_body
from registry.serving.context import principal_of, state_of, who_of, writer_of
from registry.serving.responses import shaped


def _document(namespace: Namespace, principal: Principal) -> NamespaceAnswer:
    return NamespaceAnswer(
        namespace=namespace.name,
        kind=namespace.kind,  # type: ignore[arg-type]  # the column holds a Kind
        default_visibility=namespace.default_visibility,  # type: ignore[arg-type]  # or null
        role=principal.roles.get(namespace.name),  # type: ignore[arg-type]  # a Role or none
    )


async def create_namespace(request: Request) -> Response:
    principal = await writer_of(request)
    body = await parse_body(request, NamespaceCreate)
    name, kind, visibility = body.name, body.kind, body.default_visibility
    if not has_admin_scope(principal):
        raise Forbidden("forbidden", "creating a namespace needs a token with the admin scope")
    state = state_of(request)
    async with state.database.writer() as session:
        namespace = await orgs.create_namespace(session, principal, name.lower(), kind, visibility)
        audit.record(
            session,
            who_of(request, principal),
            "namespace_create",
            namespace=namespace.name,
            target=namespace.name,
            kind=kind,
            default_visibility=visibility,
        )
        await session.commit()
    roles = {**principal.roles, namespace.name: "owner"}
    return shaped(_document(namespace, Principal(principal.user, roles=roles)), 201)


async def list_namespaces(request: Request) -> Response:
    """The caller's namespaces (401 anonymous: there is no "me" to list them for)."""
    principal = await principal_of(request)
    if not principal.authenticated:
        raise Unauthorized(
            "authentication_required", "listing your namespaces needs a token (log in first)"
        )
    async with state_of(request).database.reader() as session:
        namespaces = await orgs.namespaces_of(session, principal)
    assert principal.user is not None  # authenticated
    return shaped(NamespaceList(user=principal.user, namespaces=namespaces))


async def get_namespace(request: Request) -> Response:
    principal = await principal_of(request)
    async with state_of(request).database.reader() as session:
        namespace = await orgs.namespace_for(session, principal, _ns(request), "read")
    return shaped(_document(namespace, principal))


async def patch_namespace(request: Request) -> Response:
    """Owners change the default visibility of apps first published here."""
    principal = await writer_of(request)
    visibility = (await parse_body(request, NamespacePatch)).default_visibility
    async with state_of(request).database.writer() as session:
        namespace = await orgs.namespace_for(session, principal, _ns(request), "admin")
        namespace.default_visibility = visibility
        who, name = who_of(request, principal), namespace.name
        audit.record(
            session,
            who,
            "namespace_update",
            namespace=name,
            target=name,
            default_visibility=visibility,
        )
        await session.commit()
    return shaped(_document(namespace, principal))


async def list_members(request: Request) -> Response:
    principal = await principal_of(request)
    async with state_of(request).database.reader() as session:
        namespace = await orgs.namespace_for(session, principal, _ns(request), "read")
        members = await orgs.members_of(session, namespace)
    return shaped(Members(namespace=namespace.name, members=members))


async def put_member(request: Request) -> Response:
    principal = await writer_of(request)
    role = (await parse_body(request, MemberBody)).role
    return await _change_member(request, principal, role)


async def delete_member(request: Request) -> Response:
    return await _change_member(request, await writer_of(request), None)


async def _change_member(request: Request, principal: Principal, role: str | None) -> Response:
    state, user = state_of(request), request.path_params["user"]
    async with state.database.writer() as session:
        namespace = await orgs.namespace_for(session, principal, _ns(request), "admin")
        if role is None:
            await orgs.remove_member(session, namespace, user)
        else:
            await orgs.set_role(session, namespace, user, role)
        action = "member_remove" if role is None else "member_set"
        who = who_of(request, principal)
        audit.record(session, who, action, namespace=namespace.name, target=user, role=role)
        await session.commit()
        members = await orgs.members_of(session, namespace)
    return shaped(Members(namespace=namespace.name, members=members))


def _ns(request: Request) -> str:
    return path_namespace(request.path_params)


_NS = "/v1/namespaces/{ns}"
routes: list[BaseRoute] = [
    Route("/v1/namespaces", create_namespace, methods=["POST"]),
    Route("/v1/namespaces", list_namespaces, methods=["GET"]),
    Route(_NS, get_namespace, methods=["GET"]),
    Route(_NS, patch_namespace, methods=["PATCH"]),
    Route(_NS + "/members", list_members, methods=["GET"]),
    Route(_NS + "/members/{user}", put_member, methods=["PUT"]),
    Route(_NS + "/members/{user}", delete_member, methods=["DELETE"]),
]
