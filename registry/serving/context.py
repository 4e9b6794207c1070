"""What endpoints need from a request: the registry state, the calling principal, who it is.

Failed authentications are counted per (client address, token prefix)
(``registry.auth.ratelimit``); past the limit, requests from that address presenting a token
with that prefix answer 429 before the token is even looked up. A token this process already
knows to be valid (the principal cache) is never refused by the limiter.
"""

from __future__ import annotations

from starlette.requests import Request

from registry.auth.access import require_reader
from registry.auth.credentials import ANONYMOUS, Principal, authenticate, bearer_token, hash_token
from registry.db.models import utcnow
from registry.errors import Unauthorized
from registry.orgs.audit import Who
from registry.state import RegistryState


def state_of(request: Request) -> RegistryState:
    state: RegistryState = request.app.state.registry
    return state


def address_of(request: Request) -> str:
    """The client address: the socket's peer, or what ``X-Forwarded-For`` says when the peer
    is one of ``NESTRY_TRUSTED_PROXIES`` (uvicorn's proxy-headers middleware, which ``serve``
    turns on only for those)."""
    return request.client.host if request.client else "unknown"


async def principal_of(request: Request) -> Principal:
    """The token's principal, ``ANONYMOUS`` without one; 401 for a bad or expired token."""
    header = request.headers.get("authorization")
    if header is None:
        return ANONYMOUS
    return await authenticate_token(state_of(request), bearer_token(header), address_of(request))


async def token_principal(request: Request, token: str | None) -> Principal:
    """The principal of ``token`` read from the request by other means than the
    ``Authorization`` header (``/sar``'s session token), rate-limited like every
    authentication."""
    return await authenticate_token(state_of(request), token, address_of(request))


async def authenticate_token(state: RegistryState, token: str | None, address: str) -> Principal:
    """The principal of ``token`` (cached: ``PrincipalCache``); ``Unauthorized`` when bad.

    Failures count against (``address``, the token's prefix) in the failed-auth limiter; a
    locked-out pair answers 429 before the token is looked up."""
    if token is None:
        return ANONYMOUS
    now, key = utcnow(), hash_token(token)
    epoch = state.principals.epoch  # before the query: see PrincipalCache.put
    cached = state.principals.get(key, now)
    if cached is not None:
        return cached
    await state.limiter.check(address, token)
    try:
        async with state.database.reader() as session:
            principal = await authenticate(session, token, now)
    except Unauthorized:
        await state.limiter.record_failure(address, token)
        raise
    state.principals.put(key, principal, epoch)
    return principal


async def reader_of(request: Request) -> Principal:
    """``principal_of``, refusing anonymous callers when anonymous reads are off."""
    principal = await principal_of(request)
    require_reader(principal, anonymous_read=state_of(request).settings.anonymous_read)
    return principal


async def writer_of(request: Request) -> Principal:
    """An authenticated principal (401 otherwise), for writes."""
    principal = await principal_of(request)
    if not principal.authenticated:
        raise Unauthorized("authentication_required", "this needs a token")
    return principal


def who_of(request: Request, principal: Principal) -> Who:
    return Who(principal.user, address_of(request))
