"""Reading small JSON request bodies for the feature endpoints (tags, yank, resolve)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from registry.errors import ApiError, PayloadTooLarge

MAX_JSON_BYTES = 1024 * 1024


async def json_object(request: Request, *, optional: bool = False) -> dict[str, Any]:
    """The body as a JSON object; ``{}`` for an empty body when ``optional``.

    400 ``invalid_json`` when it is not a JSON object, 413 past ``MAX_JSON_BYTES``.
    """
    body = await _read(request)
    if not body.strip() and optional:
        return {}
    try:
        value = json.loads(body)
    except ValueError as exc:
        raise ApiError("invalid_json", f"the body is not valid JSON: {exc}") from None
    except RecursionError:  # "[[[[..." nested past the interpreter's stack
        raise ApiError("invalid_json", "the body nests too deeply") from None
    if not isinstance(value, dict):
        raise ApiError("invalid_json", "the body must be a JSON object")
    refuse_nul(value)
    return value


def refuse_nul(value: Any) -> None:
    """400 ``invalid_json`` when any string (key or value) of a parsed JSON body contains NUL:
    PostgreSQL text cannot hold it, so it is refused on every database alike."""
    if _has_nul(value):
        raise ApiError("invalid_json", "strings in the body may not contain a NUL character")


def _has_nul(value: Any) -> bool:
    """Iterative, so a deeply nested body costs no recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def only_keys(body: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError(
            "invalid_request",
            f"unknown field {unknown[0]!r}; expected {', '.join(sorted(allowed))}",
        )


async def _read(request: Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_JSON_BYTES:
            raise PayloadTooLarge(
                "body_too_large", f"JSON bodies are limited to {MAX_JSON_BYTES} bytes"
            )
        chunks.append(chunk)
    return b"".join(chunks)
