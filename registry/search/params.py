"""Turn ``GET /v1/apps`` query parameters into a ``search.Query``; opaque page cursors.

A cursor is URL-safe base64 of JSON ``[sort, key, id]``: the sort it was made for (a cursor is
refused under another sort), the last row's sort key and its app id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from starlette.datastructures import QueryParams

from client.errors import InvalidNameError
from client.names import validate_namespace
from registry.search.query import SORTS, Query, terms_of
from registry.serving import paging
from registry.serving.paging import invalid

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_Q_LENGTH = 256
MAX_LABELS = 10
KNOWN = frozenset({"q", "label", "namespace", "sort", "limit", "cursor"})


def parse_query(params: QueryParams) -> Query:
    """A validated ``Query``; ``ApiError`` 400 ``invalid_query`` naming the bad parameter."""
    unknown = sorted(set(params.keys()) - KNOWN)
    if unknown:
        raise invalid(f"unknown query parameter {unknown[0]!r}; use {', '.join(sorted(KNOWN))}")
    q = _single(params, "q") or ""
    if len(q) > MAX_Q_LENGTH:
        raise invalid(f"q is longer than {MAX_Q_LENGTH} characters")
    terms = terms_of(q)
    sort = _single(params, "sort") or ("relevance" if terms else "downloads")
    if sort not in SORTS:
        raise invalid(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    if sort == "relevance" and not terms:
        sort = "downloads"  # nothing to rank by: most downloaded first
    cursor = _single(params, "cursor")
    return Query(
        terms=terms,
        labels=_labels(params.getlist("label")),
        namespace=_namespace(_single(params, "namespace")),
        sort=sort,
        limit=paging.parse_limit(
            _single(params, "limit"), default=DEFAULT_LIMIT, maximum=MAX_LIMIT
        ),
        after=decode_cursor(cursor, sort) if cursor else None,
    )


def _single(params: QueryParams, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise invalid(f"{name} may be given once")
    return values[0] if values else None


def _labels(values: Sequence[str]) -> tuple[str, ...]:
    if len(values) > MAX_LABELS:
        raise invalid(f"at most {MAX_LABELS} label filters")
    if any(not v.strip() or len(v) > 127 for v in values):
        raise invalid("a label filter must be 1-127 characters")
    return tuple(values)


def _namespace(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return validate_namespace(value.lower())
    except InvalidNameError as exc:
        raise invalid(exc.message) from None


def encode_cursor(sort: str, key: Any, app_id: int) -> str:
    if isinstance(key, datetime):
        key = key.isoformat()
    return paging.encode(sort, (key, app_id))


def decode_cursor(text: str, sort: str) -> tuple[Any, int]:
    """The (key, id) a cursor carries; ``invalid_cursor`` when forged, stale or mismatched."""
    key, app_id = paging.decode(sort, text, arity=2, listing="search")
    try:
        return _typed_key(sort, key), paging.ids(app_id)[0]
    except ValueError:
        raise paging.bad_cursor("search") from None


def _typed_key(sort: str, key: object) -> Any:
    if sort == "updated" and isinstance(key, str):
        return datetime.fromisoformat(key)
    if sort == "name" and isinstance(key, str):
        return paging.strings(key)[0]
    if sort in ("downloads", "relevance") and isinstance(key, int | float):
        if isinstance(key, bool):
            raise ValueError("not a number")
        return key
    raise ValueError("cursor key of the wrong type")
