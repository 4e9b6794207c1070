"""Keyset paging shared by every listing: ``limit`` parameters and opaque cursors.

A cursor is URL-safe base64 (unpadded) of the JSON array ``[kind, *key]``: ``kind`` names the
listing (and, for search, the sort) it was made for, so a cursor from one listing is refused by
another. Decoding checks the shape only; the listing checks the key's types with ``ints`` and
``strings``, which refuse what the database could not compare (integers past 64 bits, NUL).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from registry.errors import ApiError

INT64_MAX = 2**63 - 1


def invalid(message: str) -> ApiError:
    """A 400 ``invalid_query``."""
    return ApiError("invalid_query", message)


def parse_limit(value: str | None, *, default: int, maximum: int) -> int:
    """``limit`` as a whole number from 1 to ``maximum`` (ASCII digits only), else 400."""
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= maximum:
        raise invalid(f"limit must be a whole number from 1 to {maximum}")
    return int(value)


def encode(kind: str, key: Sequence[Any]) -> str:
    """The cursor for the row whose sort key is ``key`` in the listing ``kind``."""
    raw = json.dumps([kind, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(kind: str, text: str, *, arity: int, listing: str) -> list[Any]:
    """The key a cursor of ``kind`` carries (``arity`` values); 400 ``invalid_cursor`` when it
    is forged, truncated or made for another listing."""
    try:
        if len(text) > 4096 or not text.isascii():
            raise ValueError("not a cursor")
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not isinstance(value, list) or len(value) != arity + 1 or value[0] != kind:
            raise ValueError("made for another listing")
        return value[1:]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise bad_cursor(listing) from None


def bad_cursor(listing: str) -> ApiError:
    return ApiError("invalid_cursor", f"the cursor is not one this {listing} returned; start again")


def ints(*values: object) -> tuple[int, ...]:
    """``values`` when each is a (non-bool) integer a 64-bit column can hold, else ValueError."""
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > INT64_MAX:
            raise ValueError("not a 64-bit integer")
    return tuple(values)  # type: ignore[arg-type]


def strings(*values: object) -> tuple[str, ...]:
    """``values`` when each is a string without NUL (PostgreSQL text cannot hold it)."""
    for value in values:
        if not isinstance(value, str) or "\x00" in value:
            raise ValueError("not a string")
    return tuple(values)  # type: ignore[arg-type]
