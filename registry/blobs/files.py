"""Content-addressed blob files for template and bundle bytes (the ``file://`` backend of
``registry.blobs``).

A digest is ``sha256:<hex>``. Blobs are immutable, so a put of bytes already stored is a no-op
and readers may cache by digest forever.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

DIGEST_PREFIX = "sha256:"
TEMP_GRACE_SECONDS = 60.0


def digest_of(data: bytes) -> str:
    return DIGEST_PREFIX + hashlib.sha256(data).hexdigest()


class FilesystemBlobStore:
    """Blobs as files ``<root>/sha256/<aa>/<hex>``, written to a temp file then renamed."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, data: bytes) -> str:
        digest = digest_of(data)
        path = self._path(digest)
        try:
            os.utime(path)  # already stored: gc's grace period counts from now (registry.blobs)
            return digest
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)  # atomic: readers see all of it or nothing
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, digest: str) -> bytes:
        try:
            return self._path(digest).read_bytes()
        except FileNotFoundError:
            raise KeyError(digest) from None

    def open(self, digest: str) -> BinaryIO:
        try:
            return self._path(digest).open("rb")
        except FileNotFoundError:
            raise KeyError(digest) from None

    def exists(self, digest: str) -> bool:
        return self._path(digest).is_file()

    def remove_stale_temp_files(self, older_than: float = TEMP_GRACE_SECONDS) -> int:
        """Delete ``.tmp-*`` files (puts cut short by a crash) not written to for
        ``older_than`` seconds; how many. Run at start: younger ones may be another process's
        put in progress (replicas sharing the directory)."""
        cutoff = time.time() - older_than
        removed = 0
        for path in self.root.glob("sha256/*/.tmp-*"):
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
        return removed

    def _path(self, digest: str) -> Path:
        hexdigest = digest.removeprefix(DIGEST_PREFIX)
        if len(hexdigest) != 64 or not all(c in "0123456789abcdef" for c in hexdigest):
            raise KeyError(digest)
        return self.root / "sha256" / hexdigest[:2] / hexdigest
