"""Keyset paging shared by every listing: ``limit`` parameters and opaque cursors.

A cursor is URL-safe base64 (unpadded) of the JSON array ``[kind, *key]``: ``kind`` names the
listing (and, for search, the sort) it was made for, so a cursor from one listing is refused by
another. Decoding checks the shape only; the listing checks the key's types with ``ints`` and
``strings``, which refuse what the database could not compare (integers past 64 bits, NUL);
``ids`` bounds row ids by their column (INTEGER: 32 bits on PostgreSQL).

Integer query parameters and path ids go through ``parse_int`` / ``parse_id``: ASCII digits
only (``"²".isdigit()`` is true, yet ``int("²")`` fails) and within the column's range, so a
caller's typo is a 4xx, never a database error.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from registry.errors import ApiError

INT64_MAX = 2**63 - 1
ID_MAX = 2**31 - 1  # primary keys are INTEGER columns: 32-bit on PostgreSQL
_MAX_DIGITS = 19  # enough for INT64_MAX; longer text is refused before int() reads it


def invalid(message: str) -> ApiError:
    """A 400 ``invalid_query``."""
    return ApiError("invalid_query", message)


def parse_limit(value: str | None, *, default: int, maximum: int) -> int:
    """``limit`` as a whole number from 1 to ``maximum`` (ASCII digits only), else 400."""
    number = parse_int(value, name="limit", default=default, minimum=1, maximum=maximum)
    assert number is not None
    return number


def parse_int(
    value: str | None, *, name: str, default: int | None, minimum: int = 1, maximum: int
) -> int | None:
    """The query parameter ``name`` as a whole number from ``minimum`` to ``maximum`` (ASCII
    digits only); ``default`` when absent; else 400 ``invalid_query`` naming it."""
    if value is None:
        return default
    number = _digits(value)
    if number is None or not minimum <= number <= maximum:
        raise invalid(f"{name} must be a whole number from {minimum} to {maximum}")
    return number


def parse_id(text: str) -> int | None:
    """A row id from a path segment; None when no row can have it (not ASCII digits, 0, or past
    the id column's range): the endpoint answers its 404."""
    number = _digits(text)
    return number if number is not None and 1 <= number <= ID_MAX else None


def _digits(text: str) -> int | None:
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > _MAX_DIGITS:
        return None
    return int(text)


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


def ids(*values: object) -> tuple[int, ...]:
    """``values`` when each is a row id (a positive integer an id column can hold), else
    ValueError."""
    for value in ints(*values):
        if not 1 <= value <= ID_MAX:
            raise ValueError("not a row id")
    return tuple(values)  # type: ignore[arg-type]


def strings(*values: object) -> tuple[str, ...]:
    """``values`` when each is a string without NUL (PostgreSQL text cannot hold it)."""
    for value in values:
        if not isinstance(value, str) or "\x00" in value:
            raise ValueError("not a string")
    return tuple(values)  # type: ignore[arg-type]
