"""What one running registry holds: settings, database, blob store, caches, counters."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from registry.apps.downloads import DownloadCounter
from registry.auth.principals import PrincipalCache
from registry.auth.ratelimit import FailureLimiter, limiter_for
from registry.db.session import Database
from registry.documents.cache import LruCache, PublicReads
from registry.serving.access_log import AccessLog
from registry.serving.change_feed import ChangeFeed
from registry.settings import Settings
from registry.storage import BlobStore


class BlobCache:
    """A small LRU of immutable blob bytes by digest (templates: the hot read path)."""

    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes
        self._size = 0
        self._items: OrderedDict[str, bytes] = OrderedDict()

    def get(self, digest: str) -> bytes | None:
        data = self._items.get(digest)
        if data is not None:
            self._items.move_to_end(digest)
        return data

    def put(self, digest: str, data: bytes) -> None:
        if len(data) > self._max // 8 or digest in self._items:
            return
        self._items[digest] = data
        self._size += len(data)
        while self._size > self._max:
            _, dropped = self._items.popitem(last=False)
            self._size -= len(dropped)


@dataclass
class RegistryState:
    settings: Settings
    database: Database
    blobs: BlobStore
    downloads: DownloadCounter
    templates: BlobCache = field(default_factory=lambda: BlobCache(64 * 1024 * 1024))
    principals: PrincipalCache = field(init=False)
    # app id -> (stamp, body, etag) of the app document
    app_docs: LruCache[int, tuple[tuple[object, ...], bytes, str]] = field(
        default_factory=lambda: LruCache(2048)
    )
    # (version id, digest, published_at) -> the immutable part of its version document, rendered
    version_parts: LruCache[tuple[int, str, object], bytes] = field(
        default_factory=lambda: LruCache(8192)
    )
    auth_failures: FailureLimiter | None = None  # made from the settings when not given
    access_log: AccessLog | None = None
    public_reads: PublicReads = field(init=False)

    def __post_init__(self) -> None:
        self.public_reads = PublicReads(self.changes, self.settings.public_cache_seconds)
        self.principals = PrincipalCache(self.changes)
        if self.auth_failures is None:
            self.auth_failures = limiter_for(self.settings, self.database)

    @property
    def changes(self) -> ChangeFeed:
        return self.database.changes

    @property
    def limiter(self) -> FailureLimiter:
        assert self.auth_failures is not None
        return self.auth_failures

    @property
    def registry_host(self) -> str | None:
        """``host[:port]`` of NESTRY_PUBLIC_URL: application ids naming it are ours."""
        url = self.settings.public_url
        if not url:
            return None
        return url.split("://", 1)[-1].split("/", 1)[0]
