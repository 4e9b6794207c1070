"""Where resolved applications come from: registries (over HTTP) and the cache (by digest).

The resolver and installer only see these protocols; ``client.api.client.RegistryClient`` satisfies
``RegistrySource`` structurally, and tests may pass any object with the same two methods.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

from client.errors import NestryError
from client.install.cache import Cache, verify
from client.install.errors import OfflineError, ResolutionError
from client.names import AppId


class RegistrySource(Protocol):
    def resolve(
        self, requests: Sequence[tuple[str, str]], *, recursive: bool = True
    ) -> list[dict[str, Any]]: ...

    def get_bytes(self, url_or_path: str) -> bytes: ...


_DEFAULT_PORTS = {"http": "80", "https": "443"}


def registry_key(url: str) -> str:
    """The one form registry URLs are compared and recorded in (lockfile, client cache).

    Scheme and host are case-insensitive and a trailing slash or default port changes nothing,
    so ``https://Registry.Example.com:443/`` and ``https://registry.example.com`` are one registry.
    """
    parts = urlsplit(url.strip())
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
    port = netloc.rpartition(":")[2]
    if port == _DEFAULT_PORTS.get(scheme) and not netloc.endswith("]"):
        netloc = netloc.rpartition(":")[0]
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), parts.query, ""))


class ClientFactory:
    """Maps an application to its registry, and a registry to one shared client.

    Registries are named by ``registry_key``; clients are made from the URL as configured (so
    the configuration's token lookup sees its own spelling). Close the factory when done.
    """

    def __init__(
        self,
        registry_url: Callable[[AppId], str],
        make_client: Callable[[str], RegistrySource],
        default_url: str | None = None,
    ) -> None:
        self._registry_url = registry_url
        self._make_client = make_client
        self._default_url = default_url
        self._clients: dict[str, RegistrySource] = {}
        self._configured: dict[str, str] = {}  # registry key -> URL as configured
        self._lock = threading.Lock()  # fetches run in threads: make each client once

    def registry_for(self, app: AppId) -> str:
        url = self._registry_url(app)
        key = registry_key(url)
        self._configured.setdefault(key, url)
        return key

    def default_registry(self) -> str | None:
        """The registry of the user's template's SAR ARNs (asked for aliases), if configured."""
        if self._default_url is None:
            return None
        key = registry_key(self._default_url)
        self._configured.setdefault(key, self._default_url)
        return key

    def client(self, registry: str) -> RegistrySource:
        key = registry_key(registry)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._make_client(self._configured.get(key, registry))
            return self._clients[key]

    def close(self) -> None:
        """Close every client made (those with a ``close``, like ``RegistryClient``)."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            close = getattr(client, "close", None)
            if callable(close):
                close()

    def __enter__(self) -> ClientFactory:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


T = TypeVar("T")


def _is_transport_failure(exc: Exception) -> bool:
    # httpx is imported lazily (client.api.client.new_http); a call that failed before importing it
    # cannot have raised one of its errors.
    httpx = sys.modules.get("httpx")
    return httpx is not None and isinstance(exc, httpx.HTTPError)


def call_registry(registry: str, what: str, call: Callable[[], T]) -> T:
    """Run one registry call; a transport failure becomes a ResolutionError naming the registry."""
    try:
        return call()
    except NestryError:
        raise
    except Exception as exc:
        if not _is_transport_failure(exc):
            raise
        raise ResolutionError(
            f"registry {registry} is unreachable while {what} ({exc.__class__.__name__}: {exc})",
            hint="Check the registry URL and your network, or use --offline with a warm cache.",
        ) from None


class FetchJob(NamedTuple):
    registry: str
    url: str
    digest: str
    what: str


class Fetcher:
    """Fetch bytes by digest: the cache first, then the registry; everything is verified."""

    def __init__(self, cache: Cache, clients: ClientFactory, *, offline: bool = False) -> None:
        self.cache = cache
        self.clients = clients
        self.offline = offline

    def fetch(self, registry: str, url: str, digest: str, *, what: str) -> bytes:
        cached = self.cache.get(digest)
        if cached is not None:
            return cached
        if self.offline:
            raise OfflineError(f"--offline: {what} ({digest}) is not in the cache")
        client = self.clients.client(registry)
        data = call_registry(registry, f"downloading {what}", lambda: client.get_bytes(url))
        verify(data, digest, what=f"{what} from {registry}")
        self.cache.put(digest, data)
        return data


def fetch_many(fetcher: Fetcher, jobs: Sequence[FetchJob], *, workers: int = 8) -> dict[str, bytes]:
    """Fetch each distinct digest once, concurrently; the first failure is raised.

    Cache hits are read in this thread: a warm install then starts no thread at all.
    """
    distinct = list({job.digest: job for job in jobs}.values())
    found: dict[str, bytes] = {}
    for job in distinct:
        cached = fetcher.cache.get(job.digest)
        if cached is not None:
            found[job.digest] = cached
    missing = [job for job in distinct if job.digest not in found]
    if len(missing) <= 1:
        for job in missing:
            found[job.digest] = fetcher.fetch(job.registry, job.url, job.digest, what=job.what)
        return found
    from concurrent.futures import ThreadPoolExecutor  # only when fetching: slow to import

    with ThreadPoolExecutor(max_workers=min(workers, len(missing))) as pool:
        datas = pool.map(lambda j: fetcher.fetch(j.registry, j.url, j.digest, what=j.what), missing)
        found.update((job.digest, data) for job, data in zip(missing, datas, strict=True))
    return found
