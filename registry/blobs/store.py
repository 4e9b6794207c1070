"""The ``BlobStore`` contract, its errors, and the choice of backend by URL.

Keys are content addresses: ``sha256/<aa>/<hex>`` for the digest ``sha256:<hex>``, the same in
every backend, so a store can be copied between backends with ordinary tools.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from registry.blobs.files import DIGEST_PREFIX
from registry.errors import ApiError

_HEX = frozenset("0123456789abcdef")


class BlobStoreUnavailable(ApiError):
    """The store did not answer (or refused us): 503, nothing stored by this request."""

    status = 503

    def __init__(self, detail: str) -> None:
        super().__init__(
            "blob_store_unavailable",
            f"the blob store is unavailable ({detail}); retry later",
            headers={"Retry-After": "5"},
        )


class BlobStoreUrlError(ValueError):
    """``NESTRY_BLOB_URL`` names no backend this registry has."""


@dataclass(frozen=True)
class Blob:
    """A blob being read: its size, and its bytes in pieces (read once, then it is closed)."""

    size: int
    pieces: AsyncIterator[bytes]


@dataclass(frozen=True)
class StoredObject:
    """One object found by ``BlobStore.scan``: ``digest`` is ``None`` for a key that is no
    content address (a temp file left by a crash, or something put there by hand)."""

    key: str
    digest: str | None
    size: int
    modified: datetime


class BlobStore(Protocol):
    """Content-addressed, immutable bytes. Raises ``KeyError`` for an absent (or malformed)
    digest and ``BlobStoreUnavailable`` when the backend cannot be reached."""

    url: str  # where it is, for messages (no credentials)

    async def put(self, data: bytes) -> str:
        """Store ``data``, visible only once complete; return its digest. Storing bytes
        already there refreshes their modification time (so ``gc``'s grace period protects a
        blob a publish is about to reference again)."""
        ...

    async def get(self, digest: str) -> bytes: ...

    async def open(self, digest: str) -> Blob: ...

    async def exists(self, digest: str) -> bool: ...

    async def presign(self, digest: str, seconds: int) -> str | None:
        """A URL anyone may GET the blob from for ``seconds``; ``None`` if the backend has no
        such thing (local files)."""
        ...

    def scan(self) -> AsyncIterator[StoredObject]:
        """Every object under the store's root, in no particular order."""
        ...

    async def modified(self, key: str) -> datetime | None:
        """When the object at ``key`` was last written; ``None`` when absent."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object at ``key`` (as given by ``scan``); absent is not an error."""
        ...


def key_of(digest: str) -> str:
    """``sha256:<hex>`` → ``sha256/<aa>/<hex>``; ``KeyError`` unless a well-formed digest."""
    hexdigest = digest.removeprefix(DIGEST_PREFIX)
    if not digest.startswith(DIGEST_PREFIX) or len(hexdigest) != 64 or not set(hexdigest) <= _HEX:
        raise KeyError(digest)
    return f"sha256/{hexdigest[:2]}/{hexdigest}"


def digest_of_key(key: str) -> str | None:
    """The digest a key is the address of, or ``None``."""
    parts = key.split("/")
    if len(parts) != 3 or parts[0] != "sha256":
        return None
    digest = DIGEST_PREFIX + parts[2]
    try:
        return digest if key_of(digest) == key else None
    except KeyError:
        return None


def open_blob_store(url: str) -> BlobStore:
    """The backend ``url`` names: ``file:///abs/path`` or ``s3://bucket[/prefix]``."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise BlobStoreUrlError(f"{url!r}: use file:///absolute/path")
        from registry.blobs.local import LocalBlobs

        return LocalBlobs(Path(unquote(parts.path)))
    if parts.scheme == "s3":
        if not parts.netloc:
            raise BlobStoreUrlError(f"{url!r}: use s3://bucket/prefix")
        from registry.blobs.s3 import S3Blobs  # obstore loads only when configured

        return S3Blobs(parts.netloc, unquote(parts.path).strip("/"))
    raise BlobStoreUrlError(f"{url!r}: NESTRY_BLOB_URL must start with file:// or s3://")
