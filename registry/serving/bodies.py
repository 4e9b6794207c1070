"""Request bodies, read within a size limit while they stream in: the one body reader.

Every endpoint that takes a body reads it here (``parse_body``, ``read_limited``) or through
``limited`` (the publish form), so no body is ever held whole before its size is known: a
declared ``Content-Length`` past the limit is refused before a byte is read, and a chunked or
lying body is refused the moment it passes the limit. ``BodyLimitMiddleware`` caps every route
the same way, so a route that forgets (or a framework path that reads the body itself) still
cannot be made to buffer more than the cap.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from client.template.nodes import nodes
from registry.errors import ApiError, PayloadTooLarge
from registry.serving.error_handlers import error_response
from registry.serving.shapes import Refusal, Shape
from registry.settings import Settings

MAX_JSON_BYTES = 1024 * 1024
S = TypeVar("S", bound=Shape)


async def parse_body(request: Request, shape: type[S]) -> S:
    """The body as an instance of ``shape``, validated from its declaration.

    400 ``invalid_json`` when it is not JSON (or holds a NUL), 413 past ``MAX_JSON_BYTES``, 415
    when ``shape.json_only`` and it is not sent as ``application/json``; a body that does not
    fit the shape (unknown or missing field, wrong type, a length, pattern or range outside the
    declared one) answers ``shape.refusal``, with a message naming the field (``$.path``).
    """
    if shape.json_only and not _is_json(request.headers.get("content-type", "")):
        raise ApiError(
            "unsupported_media_type", "send a JSON object (application/json)", status=415
        )
    body = await read_limited(request, MAX_JSON_BYTES)
    return fit_bytes(body, shape)


def fit_bytes(body: bytes, shape: type[S]) -> S:
    """``parse_body`` of a body already read (``read_limited``): the resolve endpoint keys its
    kept answers by the bytes before it parses them."""
    return fit({} if shape.may_be_empty and not body.strip() else _parse(body), shape)


def fit(value: Any, shape: type[S]) -> S:
    """A parsed JSON ``value`` as an instance of ``shape``, or ``shape.refusal``'s 4xx."""
    refusal = shape.refusal
    if not isinstance(value, dict):
        status, code = refusal.not_an_object
        raise ApiError(code, "the body must be a JSON object", status=status)
    if shape.at_least_one and not value:
        fields = ", ".join(shape.__struct_fields__)
        raise ApiError(refusal.code, f"send at least one of {fields}", status=refusal.status)
    try:
        return msgspec.convert(value, shape)
    except msgspec.ValidationError as exc:
        raise _refused(refusal, str(exc)) from None


_AT = re.compile(r" - at `\$(?:\.(\w+))?[^`]*`$")
_MISSING = re.compile(r"^Object missing required field `(\w+)`")


def _refused(refusal: Refusal, message: str) -> ApiError:
    """The 4xx for msgspec's ``message``; the field it names picks ``refusal.fields``' code."""
    at = _AT.search(message)
    missing = _MISSING.match(message)
    name = at.group(1) if at else missing.group(1) if missing else None
    if at is None:
        message += " - at `$`"
    status, code = refusal.fields.get(name or "", (refusal.status, refusal.code))
    return ApiError(code, message, status=status)


def _is_json(content_type: str) -> bool:
    return content_type.lower().startswith("application/json")


def refuse_nul(value: Any) -> None:
    """400 ``invalid_json`` when any string (key or value) of a parsed JSON body contains NUL:
    PostgreSQL text cannot hold it, so it is refused on every database alike."""
    if _has_nul(value):
        raise ApiError("invalid_json", "strings in the body may not contain a NUL character")


def _has_nul(value: Any) -> bool:
    return any(isinstance(node, str) and "\x00" in node for node in nodes(value, keys=True))


async def read_limited(request: Request, limit: int) -> bytes:
    """The whole body, refused with 413 ``body_too_large`` as soon as it passes ``limit``."""
    _check_declared(request.headers.get("content-length", ""), limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def limited(request: Request, limit: int) -> Request:
    """A view of ``request`` whose body stops with 413 once past ``limit`` bytes (for readers
    that parse as they go, such as the multipart parser)."""
    _check_declared(request.headers.get("content-length", ""), limit)
    return Request(request.scope, _counting(request.receive, limit))


def body_limits(settings: Settings) -> Callable[[Scope], int]:
    """The cap per request: a publish (``PUT .../versions/{version}``) may carry a bundle, a
    template, a readme and a license (``Settings.max_body_bytes``); every other body is a small
    JSON document (``MAX_JSON_BYTES``)."""
    publish = settings.max_body_bytes

    def limit_for(scope: Scope) -> int:
        if scope["method"] == "PUT" and scope["path"].count("/versions/") == 1:
            return publish
        return MAX_JSON_BYTES

    return limit_for


class BodyLimitMiddleware:
    """Refuse any request body past ``limit_for(scope)`` bytes with 413, on every route.

    A declared ``Content-Length`` over the limit is answered before the app runs; a body that
    streams past it makes the app's next ``receive()`` raise ``PayloadTooLarge``, which the
    exception handlers answer (the app never sees more than the limit).
    """

    def __init__(self, app: ASGIApp, limit_for: Callable[[Scope], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value.decode("latin-1")
                if declared.isdigit() and int(declared) > limit:
                    await _answer_413(limit, scope, receive, send)
                    return
        await self.app(scope, _counting(receive, limit), send)


def _counting(receive: Receive, limit: int) -> Receive:
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise _too_large(limit)
        return message

    return counted


def _check_declared(declared: str, limit: int) -> None:
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge("body_too_large", f"the request body is larger than {limit} bytes")


async def _answer_413(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    error = _too_large(limit)
    # The unread body is not drained: ask the client to close so it is not parsed as a request.
    response = error_response(error.status, error.code, error.message, {"Connection": "close"})
    await response(scope, receive, send)


def _parse(body: bytes) -> Any:
    try:
        value = json.loads(body)
    except ValueError as exc:
        raise ApiError("invalid_json", f"the body is not valid JSON: {exc}") from None
    except RecursionError:  # "[[[[..." nested past the interpreter's stack
        raise ApiError("invalid_json", "the body nests too deeply") from None
    refuse_nul(value)
    return value
