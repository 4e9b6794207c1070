"""In-process caches of rendered documents (the read path's ready bytes).

Entries carry a *stamp* read from the database on every request (for apps:
``(updated_at, downloads)``); a cached body is used only while its stamp still matches, so
several workers, each with its own cache, never serve a stale document. Every change to an app
or its versions bumps ``apps.updated_at`` (``search_index.refresh`` does it) and every download
flush changes ``apps.downloads``.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Generic, TypeVar

from starlette.types import ASGIApp, Receive, Scope, Send

K = TypeVar("K")
V = TypeVar("V")


class LruCache(Generic[K, V]):
    def __init__(self, max_entries: int) -> None:
        self._max = max_entries
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self._max:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


class PublicLookups:
    """Anonymous lookups of *public* versions, reused for at most ``ttl`` seconds.

    The template and bundle endpoints are the hottest read path and their answers for a public
    app are already cacheable for a year by any HTTP cache in front of us (``Cache-Control:
    public, immutable``); what can change is only whether the app is still public or still
    there. So an anonymous lookup is reused for ``ttl`` seconds without a query. Every write
    this process handles clears the table at once (``ClearOnWrite``); a write handled by another
    worker or replica shows here within ``ttl`` (``NESTRY_PUBLIC_CACHE_MS``, 0 turns it off).
    Authenticated callers and private apps never use it.
    """

    def __init__(self, ttl: float, max_entries: int = 8192) -> None:
        self.ttl = ttl
        self._items: LruCache[tuple[str, ...], tuple[float, object]] = LruCache(max_entries)

    def get(self, key: tuple[str, ...]) -> object | None:
        entry = self._items.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: tuple[str, ...], value: object) -> None:
        if self.ttl > 0:
            self._items.put(key, (time.monotonic() + self.ttl, value))

    def clear(self) -> None:
        self._items.clear()


class ClearOnWrite:
    """ASGI middleware: after any request that may write, forget this process's public lookups."""

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in self.SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            scope["app"].state.registry.public_lookups.clear()
