"""What endpoints need from a request: the registry state, the calling principal, who it is.

Failed authentications are counted per client address (``registry.ratelimit``); past the
limit, requests that present a token answer 429 before the token is even looked at.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

from registry.access import require_reader
from registry.auth import ANONYMOUS, Principal, authenticate, bearer_token, hash_token
from registry.db.models import utcnow
from registry.errors import Unauthorized
from registry.services.audit import Who
from registry.state import RegistryState


def state_of(request: Request) -> RegistryState:
    state: RegistryState = request.app.state.registry
    return state


def address_of(request: Request) -> str:
    """The client address (uvicorn applies proxy headers from trusted proxies only)."""
    return request.client.host if request.client else "unknown"


async def principal_of(request: Request) -> Principal:
    """The token's principal, ``ANONYMOUS`` without one; 401 for a bad or expired token."""
    header = request.headers.get("authorization")
    if header is None:
        return ANONYMOUS
    return await token_principal(request, lambda: bearer_token(header))


async def token_principal(request: Request, token: Callable[[], str | None]) -> Principal:
    """The principal of the token ``token()`` reads from the request (``ANONYMOUS`` for None),
    rate-limited like every authentication: ``principal_of``, and ``/sar``'s session token."""
    state, address = state_of(request), address_of(request)
    state.limiter.check(address)
    try:
        return await _authenticate(state, token())
    except Unauthorized:
        state.limiter.record_failure(address)
        raise


async def _authenticate(state: RegistryState, token: str | None) -> Principal:
    if token is None:
        return ANONYMOUS
    now, key = utcnow(), hash_token(token)
    generation = state.principals.generation  # before the query: see PrincipalCache.put
    cached = state.principals.get(key, now)
    if cached is not None:
        return cached
    async with state.database.reader() as session:
        principal = await authenticate(session, token, now)
    state.principals.put(key, principal, generation)
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
