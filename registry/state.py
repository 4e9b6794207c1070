"""What one running registry holds: settings, database, blob store, caches, counters."""

from __future__ import annotations

from dataclasses import dataclass, field

from registry.apps.downloads import DownloadCounter
from registry.auth.principals import PrincipalCache
from registry.auth.ratelimit import FailureLimiter, limiter_for
from registry.blobs.store import BlobStore
from registry.db.session import Database
from registry.documents.service import Documents
from registry.resolve.cache import VersionLists
from registry.serving.access_log import AccessLog
from registry.serving.change_feed import ChangeFeed
from registry.settings import Settings


@dataclass
class RegistryState:
    settings: Settings
    database: Database
    blobs: BlobStore
    downloads: DownloadCounter
    principals: PrincipalCache = field(init=False)
    documents: Documents = field(init=False)  # every cached answer of the read path
    version_lists: VersionLists = field(init=False)  # the resolver's view of ``documents``
    auth_failures: FailureLimiter | None = None  # made from the settings when not given
    access_log: AccessLog | None = None

    def __post_init__(self) -> None:
        settings = self.settings
        self.documents = Documents(
            self.database,
            self.blobs,
            self.changes,
            max_bytes=settings.cache_bytes,
            ttl=settings.public_cache_seconds,
            count_seconds=settings.download_flush_seconds,
        )
        self.principals = PrincipalCache(self.changes)
        self.version_lists = VersionLists(self.documents)
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
