"""The web UI's routes: thin endpoints over ``views`` (data) and ``pages`` (rendering).

Every page is rendered for the caller the session cookie names (``session``), anonymous
without one. A refusal is a page with the API's status: an app the caller may not read is the
same 404 page as a missing one. Pages showing only public data (a public app's, the home and
namespace pages, search without parameters) are kept for anonymous visitors as ready bytes by
the documents service (``Documents.remember_page``), keyed by canonical names; a page shows
other apps too (lists, trees, dependents), so any change notice drops them all, and since they
show download counts they are refreshed as the JSON documents' counts are.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from client.errors import NestryError
from client.names import canonical_app, canonical_namespace
from registry.auth.credentials import Principal
from registry.errors import ApiError, PayloadTooLarge
from registry.serving.context import state_of
from registry.serving.responses import conditional
from registry.web import views
from registry.web.cookies import CSRF, SESSION
from registry.web.pages import SECURITY_HEADERS, html, render, static_files
from registry.web.session import (
    browser_principal,
    check_csrf,
    check_origin,
    clear_session,
    csrf_for_session,
    log_in,
    log_out,
    login_csrf_cookie,
    new_login_csrf,
    set_session,
)

MAX_REMEMBERED = 512 * 1024  # larger pages are rendered per request
MAX_FORM_BYTES = 8 * 1024
# (template, context, shows only public data: may be remembered for anonymous visitors)
Built = tuple[str, dict[str, Any], bool]


def _base(request: Request, principal: Principal) -> dict[str, Any]:
    return {
        "user": principal.user,
        "logout_csrf": csrf_for_session(request) if principal.authenticated else "",
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "q": "",
    }


def _page_key(request: Request) -> tuple[str, ...] | None:
    """The canonical key of an anonymous page that may be kept, ``None`` for one never kept."""
    if request.url.query:
        return None
    params, parts = request.path_params, request.url.path.split("/")
    route = parts[1]
    try:
        if route == "apps":  # /apps/{ns}/{name}[/{version}[/source]]
            ns, name = canonical_app(params["ns"], params["name"])
            return ("app", ns, name, *parts[4:])
        if route == "namespaces":
            return ("namespace", canonical_namespace(params["ns"]))
    except NestryError:
        return None
    return (route or "home",) if route in ("", "search") else None


async def _page(request: Request, build: Callable[[Principal], Awaitable[Built]]) -> Response:
    state = state_of(request)
    documents = state.documents
    epoch = documents.epoch  # before any query: see Documents.remember_page
    key = _page_key(request) if SESSION not in request.cookies else None
    if key is not None and state.settings.anonymous_read:
        kept = documents.page(key)
        if kept is not None:
            return conditional(request, html(kept, private=False))
    try:
        principal, stale = await browser_principal(request)
    except ApiError as exc:  # too many failed logins from this address
        response = _error(request, Principal(None), exc.status, exc.message)
        response.headers.update(exc.headers)  # Retry-After
        return response
    if not principal.authenticated and not state.settings.anonymous_read:
        return RedirectResponse(f"/login?next={quote(_base(request, principal)['here'])}", 303)
    try:
        template, context, public = await build(principal)
    except ApiError as exc:
        response = _error(request, principal, exc.status, exc.message)
    except NestryError as exc:  # a malformed name or version in the path
        response = _error(request, principal, 404, exc.message)
    else:
        body = render(template, {**_base(request, principal), **context})
        response = html(body, private=principal.authenticated)
        remembered = public and not principal.authenticated and not stale
        if remembered and key is not None and len(body) <= MAX_REMEMBERED:
            documents.remember_page(key, body, epoch)
        response = conditional(request, response)
    if stale:
        clear_session(response)
    return response


def _error(request: Request, principal: Principal, status: int, message: str) -> Response:
    titles = {404: "Not found", 400: "Bad request", 429: "Too many attempts"}
    context = {
        **_base(request, principal),
        "status": status,
        "title": titles.get(status, "Something went wrong"),
        "message": message,
    }
    return html(render("error.html", context), status=status, private=True)


def _ns(request: Request) -> str:
    return str(request.path_params["ns"]).lower()


async def home(request: Request) -> Response:
    async def build(principal: Principal) -> Built:
        view = await views.home(state_of(request), principal)
        return "home.html", {"view": view}, True

    return await _page(request, build)


async def search(request: Request) -> Response:
    state = state_of(request)

    async def build(principal: Principal) -> Built:
        view = await views.search_page(state, principal, request.query_params)
        return "search.html", {"view": view, "q": view.q}, not principal.authenticated

    return await _page(request, build)


async def app(request: Request) -> Response:
    async def build(principal: Principal) -> Built:
        params = request.path_params
        view = await views.app_page(
            state_of(request), principal, _ns(request), params["name"], params.get("version")
        )
        return "app.html", {"view": view}, view.app.visibility == "public"

    return await _page(request, build)


async def source(request: Request) -> Response:
    async def build(principal: Principal) -> Built:
        params = request.path_params
        view = await views.source_page(
            state_of(request), principal, _ns(request), params["name"], params["version"]
        )
        return "source.html", {"view": view}, view.public

    return await _page(request, build)


async def raw(request: Request) -> Response:
    """The template's bytes as plain text, for reading in the browser (the API's template URL
    serves them as a YAML download)."""
    principal, _ = await browser_principal(request)
    state, params = state_of(request), request.path_params
    if not principal.authenticated and not state.settings.anonymous_read:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", 303)
    try:
        found = await views.template_bytes(
            state, principal, _ns(request), params["name"], params["version"]
        )
    except ApiError as exc:
        return _error(request, principal, exc.status, exc.message)
    headers = {
        **SECURITY_HEADERS,
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "ETag": f'"{found.digest}"',
        "Cache-Control": "public, no-cache" if found.public else "private, no-cache",
    }
    return conditional(request, Response(found.data, 200, headers, "text/plain; charset=utf-8"))


async def namespace(request: Request) -> Response:
    async def build(principal: Principal) -> Built:
        view = await views.namespace_page(state_of(request), principal, _ns(request))
        return "namespace.html", {"view": view}, not principal.authenticated

    return await _page(request, build)


def _next(value: str | None) -> str:
    """Where to go after logging in: a path on this site only."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/"


async def login_form(request: Request) -> Response:
    principal, stale = await browser_principal(request)
    return _login_page(request, principal, _next(request.query_params.get("next")), stale)


def _login_page(
    request: Request,
    principal: Principal,
    next_path: str,
    stale: bool = False,
    error: str | None = None,
    status: int = 200,
) -> Response:
    csrf = request.cookies.get(CSRF) or new_login_csrf()
    context = {**_base(request, principal), "next": next_path, "csrf": csrf, "error": error}
    response = html(render("login.html", context), status=status, private=True)
    response.headers["Cache-Control"] = "no-store"
    login_csrf_cookie(request, response, csrf)
    if stale:
        clear_session(response)
    return response


async def _form(request: Request) -> dict[str, str]:
    """A small urlencoded form body (at most ``MAX_FORM_BYTES``)."""
    body = b""
    async for piece in request.stream():
        body += piece
        if len(body) > MAX_FORM_BYTES:
            raise PayloadTooLarge("form_too_large", "the form is too large")
    fields = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=10)
    return {key: values[0] for key, values in fields.items()}


async def login(request: Request) -> Response:
    principal, form = Principal(None), {}
    try:
        form = await _form(request)
        check_origin(request)
        check_csrf(form.get("csrf", ""), request.cookies.get(CSRF, ""))
        secret, expires = await log_in(request, form.get("token", ""))
    except ApiError as exc:
        next_path = _next(form.get("next"))
        return _login_page(request, principal, next_path, error=exc.message, status=exc.status)
    next_path = _next(form.get("next"))
    response = RedirectResponse(next_path, 303)
    set_session(request, response, secret, expires)
    return response


async def logout(request: Request) -> Response:
    principal, _ = await browser_principal(request)
    try:
        form = await _form(request)
        check_origin(request)
        if principal.authenticated:
            check_csrf(form.get("csrf", ""), csrf_for_session(request))
            await log_out(request, principal)
    except ApiError as exc:
        return _error(request, principal, exc.status, exc.message)
    response = RedirectResponse("/", 303)
    clear_session(response)
    return response


_APP = "/apps/{ns}/{name}"
routes: list[BaseRoute] = [
    Route("/", home, methods=["GET"]),
    Route("/search", search, methods=["GET"]),
    Route(_APP, app, methods=["GET"]),
    Route(_APP + "/{version}/source", source, methods=["GET"]),
    Route(_APP + "/{version}/raw", raw, methods=["GET"]),
    Route(_APP + "/{version}", app, methods=["GET"]),
    Route("/namespaces/{ns}", namespace, methods=["GET"]),
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Mount("/static", app=static_files(), name="static"),
]
