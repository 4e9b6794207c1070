"""Logging in to the web UI with an API token, and the CSRF tokens of the forms that write.

The choice (see docs/web.md): the browser never keeps the API token it was given. Logging in
checks that token, then issues a *session token*: a fresh nestry token of the ``read`` scope
over the same namespaces, for the same user, expiring after ``SESSION_HOURS`` (sooner if the
given token expires sooner), described "web session". Only its sha256 is stored, like every
token; the browser keeps it in an ``HttpOnly``, ``SameSite=Lax`` cookie (``Secure`` over
HTTPS). So a leaked cookie can only read, for hours, and shows in ``nestry token list``;
logging out revokes it, and revoking it by hand or removing the user's role acts at once
(``registry.auth.principals``). No server secret and no new table were needed.

CSRF: the login form carries a random value that must equal an HttpOnly ``SameSite=Strict``
cookie set with the form (double submit); the logout form carries a value derived from the
session token, which another site cannot read. Both also refuse a foreign ``Origin``.
Cookie logins count toward the failed-authentication limit like bearer tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from registry.auth import tokens as token_service
from registry.auth.accounts import issue_token
from registry.auth.credentials import ANONYMOUS, Principal
from registry.db.models import User, utcnow
from registry.errors import Forbidden, Unauthorized
from registry.orgs import audit
from registry.orgs.audit import Who
from registry.serving.context import address_of, authenticate_token, state_of
from registry.web.cookies import CSRF, SESSION

SESSION_HOURS = 12
SESSION_DESCRIPTION = "web session"


def _secure(request: Request) -> bool:
    public_url = state_of(request).settings.public_url or ""
    return request.url.scheme == "https" or public_url.startswith("https://")


async def browser_principal(request: Request) -> tuple[Principal, bool]:
    """The session cookie's principal (``ANONYMOUS`` without one), and whether a cookie was
    sent that no longer works (the caller then deletes it)."""
    token = request.cookies.get(SESSION)
    if not token:
        return ANONYMOUS, False
    try:
        return await authenticate_token(state_of(request), token, address_of(request)), False
    except Unauthorized:
        return ANONYMOUS, True


def csrf_for_session(request: Request) -> str:
    """The logout form's CSRF value: bound to the session token, unreadable to other sites."""
    token = request.cookies.get(SESSION, "")
    return hashlib.sha256(b"nestry-csrf\0" + token.encode()).hexdigest()[:40]


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def login_csrf_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        CSRF,
        value,
        max_age=3600,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


def check_origin(request: Request) -> None:
    """Refuse a write whose ``Origin`` names another site (browsers send it on POST)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return
    expected = f"{request.url.scheme}://{request.headers.get('host', '')}"
    public_url = state_of(request).settings.public_url
    if origin not in (expected, public_url):
        raise Forbidden("csrf_failed", "this form was sent from another site")


def check_csrf(sent: str, expected: str) -> None:
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise Forbidden("csrf_failed", "the form expired; load the page and try again")


async def log_in(request: Request, token: str) -> tuple[str, datetime]:
    """Check ``token`` (counting failures); a new session token for its user, its expiry."""
    state, address = state_of(request), address_of(request)
    principal = await authenticate_token(state, token.strip(), address)
    if principal.user_id is None:
        raise Unauthorized("invalid_token", "paste a nestry token (nst_...)")
    expires = utcnow() + timedelta(hours=SESSION_HOURS)
    if principal.expires_at is not None:
        expires = min(expires, principal.expires_at)
    async with state.database.writer() as session:
        user = await session.get(User, principal.user_id)
        if user is None:
            raise Unauthorized("invalid_token", "the token's user no longer exists")
        secret = await issue_token(
            session,
            user,
            scope="read",
            namespaces=sorted(principal.namespaces),
            expires_at=expires,
            description=SESSION_DESCRIPTION,
            grant_roles=False,
        )
        who = Who(principal.user, address)
        for ns in sorted(principal.namespaces):
            audit.record(
                session, who, "token_create", namespace=ns, target="web session", scope="read"
            )
        await session.commit()
    return secret, expires


async def log_out(request: Request, principal: Principal) -> None:
    """Revoke the session token the request carries."""
    if principal.token_id is None:
        return
    state = state_of(request)
    async with state.database.writer() as session:
        await token_service.revoke(session, principal, principal.token_id)
        await session.commit()


def set_session(request: Request, response: Response, secret: str, expires: datetime) -> None:
    response.set_cookie(
        SESSION,
        secret,
        max_age=max(60, int((expires - utcnow()).total_seconds())),
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(CSRF, path="/login")


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION, path="/")
