"""Blobs as local files (``registry.blobs.files.FilesystemBlobStore``), off the event loop."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import anyio.to_thread

from registry.blobs.files import FilesystemBlobStore
from registry.blobs.store import Blob, StoredObject, digest_of_key

CHUNK = 256 * 1024


class LocalBlobs:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = root.as_uri()
        self._files = FilesystemBlobStore(root)

    async def put(self, data: bytes) -> str:
        return await anyio.to_thread.run_sync(self._files.put, data)

    async def get(self, digest: str) -> bytes:
        return await anyio.to_thread.run_sync(self._files.get, digest)

    async def open(self, digest: str) -> Blob:
        handle = await anyio.to_thread.run_sync(self._files.open, digest)
        try:
            size = os.fstat(handle.fileno()).st_size
        except BaseException:
            handle.close()
            raise
        return Blob(size, _pieces(handle))

    async def exists(self, digest: str) -> bool:
        return await anyio.to_thread.run_sync(self._files.exists, digest)

    async def presign(self, digest: str, seconds: int) -> str | None:
        return None

    async def scan(self) -> AsyncIterator[StoredObject]:
        for found in await anyio.to_thread.run_sync(self._scan):
            yield found

    def _scan(self) -> list[StoredObject]:
        found = []
        for path in self.root.rglob("*"):
            if path.is_file():
                key = path.relative_to(self.root).as_posix()
                stat = path.stat()
                modified = datetime.fromtimestamp(stat.st_mtime, UTC)
                found.append(StoredObject(key, digest_of_key(key), stat.st_size, modified))
        return found

    async def modified(self, key: str) -> datetime | None:
        path = self._inside(key)
        try:
            mtime = (await anyio.to_thread.run_sync(path.stat)).st_mtime
        except FileNotFoundError:
            return None
        return datetime.fromtimestamp(mtime, UTC)

    async def delete(self, key: str) -> None:
        path = self._inside(key)
        await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))

    def _inside(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise KeyError(key)
        return path


async def _pieces(handle: BinaryIO) -> AsyncIterator[bytes]:
    """The file in ``CHUNK``-sized pieces, each read off the event loop; closed at the end."""
    try:
        while piece := await anyio.to_thread.run_sync(handle.read, CHUNK):
            yield piece
    finally:
        handle.close()
