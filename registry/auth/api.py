"""``/v1/tokens``: the caller's user's tokens; create (also for a member) and revoke (see
``registry.auth.tokens``).

The secret of a new token is in the 201 answer only; the registry keeps its sha256. Creating
and revoking are audited under each namespace the token covers (a token for a member names the
member, never the secret); a revocation takes effect at once in this process (the principal
cache is cleared) and within 5 s elsewhere.
"""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from registry.auth import tokens
from registry.auth.shapes import TokenCreate, Tokens
from registry.db.models import Token
from registry.errors import NotFound
from registry.orgs import audit
from registry.serving import paging
from registry.serving.bodies import parse_body
from registry.serving.context import state_of, who_of, writer_of
from registry.serving.responses import shaped


async def list_tokens(request: Request) -> Response:
    principal = await writer_of(request)
    assert principal.user_id is not None  # any token lists its user's (never their secrets)
    async with state_of(request).database.reader() as session:
        found = await tokens.listing(session, principal.user_id)
    return shaped(Tokens(tokens=found))


async def create_token(request: Request) -> Response:
    principal = await writer_of(request)
    max_days = state_of(request).settings.token_max_days
    body = await parse_body(request, TokenCreate)
    wanted = tokens.parse_request(body, max_days=max_days)
    async with state_of(request).database.writer() as session:
        minted = await tokens.create(session, principal, wanted)
        names = sorted(wanted.namespaces)
        row = tokens.document(minted.token, names)
        who = who_of(request, principal)
        target = f"token {row.prefix}… (id {row.id})"
        details: dict[str, object] = {"scope": wanted.scope, "token_id": row.id}
        if minted.user != principal.user:
            target += f" for {minted.user}"
            details["user"] = minted.user
        for ns in _namespaces(names):
            audit.record(session, who, "token_create", namespace=ns, target=target, **details)
        await session.commit()
    return shaped(msgspec.structs.replace(row, token=minted.secret), status=201)


async def revoke_token(request: Request) -> Response:
    principal = await writer_of(request)
    text = str(request.path_params["id"])
    token_id = paging.parse_id(text)
    if token_id is None:
        raise NotFound("token_not_found", f"you have no token {text!r}")
    state = state_of(request)
    async with state.database.writer() as session:
        names = await tokens.revoke(session, principal, token_id)
        row = await session.get(Token, token_id)
        assert row is not None
        document = tokens.document(row, names)
        who = who_of(request, principal)
        for ns in _namespaces(names):
            target = f"token {row.display_prefix}… (id {row.id})"
            audit.record(session, who, "token_revoke", namespace=ns, target=target)
        await session.commit()
    return shaped(document)


def _namespaces(names: list[str]) -> list[str | None]:
    """Audit under each namespace; a token covering none is logged without one."""
    return [*names] if names else [None]


routes: list[BaseRoute] = [
    Route("/v1/tokens", list_tokens, methods=["GET"]),
    Route("/v1/tokens", create_token, methods=["POST"]),
    Route("/v1/tokens/{id}", revoke_token, methods=["DELETE"]),
]
