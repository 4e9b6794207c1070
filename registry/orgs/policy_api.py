"""``GET``/``PUT /v1/apps/{ns}/{name}/policy``: an app's visibility and sharing grants.

An app the caller may not read is 404. Members of the app's namespace may read the policy;
others who can see the app (public, or shared with them) get 403. Changing it needs the owner
role (``admin``); every change is audited with the policy it set.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from registry.apps.lookup import find_app, path_app
from registry.errors import Forbidden, Unauthorized
from registry.orgs import audit, policies
from registry.orgs.shapes import Grant, Policy, PolicyBody
from registry.serving.bodies import parse_body
from registry.serving.context import principal_of, reader_of, state_of, who_of
from registry.serving.responses import shaped


def _path(request: Request) -> tuple[str, str]:
    return path_app(request.path_params, write=request.method != "GET")


async def get_policy(request: Request) -> Response:
    principal = await reader_of(request)
    ns, name = _path(request)
    async with state_of(request).database.reader() as session:
        app = await find_app(session, ns, name, principal)
        if not principal.may(ns, "read"):
            raise Forbidden("forbidden", f"only members of {ns!r} may read this policy")
        document = await policies.policy_of(session, app)
    return shaped(_policy(f"{ns}/{app.name}", document))


async def put_policy(request: Request) -> Response:
    principal = await principal_of(request)
    if not principal.authenticated:
        raise Unauthorized("authentication_required", "changing a policy needs a token")
    ns, name = _path(request)
    visibility, grants = policies.parse_policy(await parse_body(request, PolicyBody))
    async with state_of(request).database.writer() as session:
        app = await find_app(session, ns, name, principal)
        if not principal.may(ns, "admin"):
            raise Forbidden("forbidden", f"only owners of {ns!r} may change this policy")
        await policies.apply_policy(session, app, visibility, grants)
        document = await policies.policy_of(session, app)
        target = f"{ns}/{app.name}"
        who = who_of(request, principal)
        audit.record(session, who, "policy_change", namespace=ns, target=target, **document)
        await session.commit()
    return shaped(_policy(target, document))


def _policy(application: str, document: dict[str, Any]) -> Policy:
    """The answer from ``policies.policy_of`` (a mapping: the audit entry and the SAR API
    read it too); a key ``Policy`` or ``Grant`` does not declare is a ``TypeError`` here."""
    grants = [Grant(**grant) for grant in document["grants"]]
    return Policy(application=application, **{**document, "grants": grants})


routes: list[BaseRoute] = [
    Route("/v1/apps/{ns}/{name}/policy", get_policy, methods=["GET"]),
    Route("/v1/apps/{ns}/{name}/policy", put_policy, methods=["PUT"]),
]
