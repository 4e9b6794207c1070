"""Turn every failure into ``{"error": {"code", "message"}}``; never a traceback.

User mistakes arrive as ``ApiError`` or a ``client.errors.NestryError`` (template, name,
version, range problems: 422 with the error's own code, 413 for size limits). Anything else is
a bug: ``CatchAllMiddleware`` logs it and answers 500 ``internal_error`` — unless it means the
database is away or too slow (``registry.db.health.is_unavailable``): then 503
``database_unavailable`` with ``Retry-After``, and one log line per outage instead of a
traceback per request.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from client.errors import NestryError, TemplateTooLargeError
from registry.db.health import RETRY_AFTER_SECONDS, is_unavailable
from registry.errors import ApiError
from registry.serving import hot_reads
from registry.serving.allow import allowed_methods
from registry.serving.metrics import Metrics
from registry.state import RegistryState

log = logging.getLogger("registry")

_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


async def api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def nestry_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NestryError)
    status = 413 if isinstance(exc, TemplateTooLargeError) else 422
    message = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
    return error_response(status, exc.code, message)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    headers = {"Allow": allowed_methods(request)} if exc.status_code == 405 else None
    return error_response(exc.status_code, code, str(exc.detail), headers)


def database_unavailable() -> JSONResponse:
    """503 while the database cannot be reached (``registry.db.health``)."""
    return error_response(
        503,
        "database_unavailable",
        "the database is not answering; try again shortly",
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def _running_state(scope: Scope) -> RegistryState | None:
    app = scope.get("app")
    state = getattr(getattr(app, "state", None), "registry", None)
    return state if isinstance(state, RegistryState) else None


EXCEPTION_HANDLERS = {ApiError: api_error, NestryError: nestry_error, HTTPException: http_error}


class CatchAllMiddleware:
    """Answer unexpected exceptions with a JSON 500 (logged), unless a response has begun."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except ClientDisconnect:
            return  # the client left (or was cut off by a read deadline): nobody to answer
        except Exception as error:
            state = _running_state(scope)
            if state is not None and is_unavailable(error):
                state.database.health.failed(error)  # one log line per outage, no traceback
                if started:
                    return
                metrics = getattr(scope.get("app"), "metrics", None)
                if isinstance(metrics, Metrics) and await hot_reads.answer(
                    state, metrics, scope, send
                ):
                    return  # a remembered public answer, while the database is away
                await database_unavailable()(scope, receive, send)
                return
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = error_response(500, "internal_error", "the registry failed; see its log")
            await response(scope, receive, send)
