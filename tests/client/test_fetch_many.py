"""``fetch_many``: cache hits are served in the caller's thread; only misses go to the network."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path
from typing import Any

import pytest

from client.install.cache import Cache, sha256_digest
from client.install.sources import Fetcher, FetchJob, fetch_many


class _Registry:
    """A stand-in registry client recording each download (the seam ``ClientFactory`` gives)."""

    def __init__(self, blobs: dict[str, bytes]) -> None:
        self.blobs = blobs
        self.downloads: list[str] = []

    def get_bytes(self, url: str) -> bytes:
        self.downloads.append(url)
        return self.blobs[url]


class _Clients:
    def __init__(self, registry: _Registry) -> None:
        self.registry = registry

    def client(self, _url: str) -> Any:
        return self.registry


def _jobs(blobs: dict[str, bytes]) -> list[FetchJob]:
    return [FetchJob("http://r", url, sha256_digest(data), url) for url, data in blobs.items()]


def test_all_cached_starts_no_thread_and_downloads_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blobs = {f"/t/{i}": f"template {i}".encode() for i in range(5)}
    cache = Cache(tmp_path)
    for data in blobs.values():
        cache.put(sha256_digest(data), data)
    registry = _Registry(blobs)

    def no_threads(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a warm fetch must not start a thread pool")

    monkeypatch.setattr(concurrent.futures, "ThreadPoolExecutor", no_threads)
    got = fetch_many(Fetcher(cache, _Clients(registry)), _jobs(blobs))  # type: ignore[arg-type]
    assert got == {sha256_digest(d): d for d in blobs.values()}
    assert registry.downloads == []


def test_only_misses_are_downloaded_once_each(tmp_path: Path) -> None:
    blobs = {f"/t/{i}": f"template {i}".encode() for i in range(6)}
    cache = Cache(tmp_path)
    cached = list(blobs.items())[:2]
    for _url, data in cached:
        cache.put(sha256_digest(data), data)
    registry = _Registry(blobs)
    jobs = _jobs(blobs) * 2  # every digest asked for twice
    got = fetch_many(Fetcher(cache, _Clients(registry)), jobs)  # type: ignore[arg-type]
    assert got == {sha256_digest(d): d for d in blobs.values()}
    assert sorted(registry.downloads) == sorted(url for url in blobs if url not in dict(cached))
    assert all(cache.get(sha256_digest(d)) == d for d in blobs.values())
