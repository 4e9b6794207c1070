"""Safety checks for code bundles (tar.gz) before anything is stored.

Refused: not gzip/tar, absolute paths, ``..``, links (symbolic and hard), devices and other
special files, more than ``max_members`` entries, and more than ``max_unpacked`` bytes once
decompressed. Decompression is streamed and capped, so a bomb costs at most the cap.
"""

from __future__ import annotations

import gzip
import io
import posixpath
import tarfile
import zlib
from dataclasses import dataclass

from registry.errors import PayloadTooLarge, Unprocessable

# Tar headers and padding are not file content; allow for them on top of the content cap.
_HEADER_SLACK = 1024


@dataclass(frozen=True)
class BundleLimits:
    max_unpacked: int
    max_members: int


@dataclass(frozen=True)
class BundleInfo:
    files: frozenset[str]  # normalized relative paths of regular files
    unpacked_size: int


class _CappedReader(io.RawIOBase):
    """Reads the decompressed stream and refuses to go past ``cap`` bytes."""

    def __init__(self, source: gzip.GzipFile, cap: int) -> None:
        self._source = source
        self._cap = cap
        self.total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._source.read(len(buffer))
        self.total += len(data)
        if self.total > self._cap:
            raise PayloadTooLarge(
                "bundle_too_large", f"the bundle unpacks to more than {self._cap} bytes"
            )
        buffer[: len(data)] = data
        return len(data)


def check_bundle(data: bytes, limits: BundleLimits) -> BundleInfo:
    """Return the bundle's file list, or raise ``Unprocessable``/``PayloadTooLarge``."""
    if not data.startswith(b"\x1f\x8b"):
        raise Unprocessable("invalid_bundle", "the bundle is not a gzip-compressed tar archive")
    cap = limits.max_unpacked + _HEADER_SLACK * (limits.max_members + 2)
    reader = _CappedReader(gzip.GzipFile(fileobj=io.BytesIO(data)), cap)
    try:
        with tarfile.open(fileobj=io.BufferedReader(reader), mode="r|") as archive:
            return _scan(archive, limits)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise Unprocessable("invalid_bundle", f"the bundle is not a valid tar.gz: {exc}") from None


def _scan(archive: tarfile.TarFile, limits: BundleLimits) -> BundleInfo:
    files: set[str] = set()
    size = 0
    for count, member in enumerate(archive, start=1):
        if count > limits.max_members:
            raise Unprocessable(
                "bundle_too_many_files", f"the bundle has more than {limits.max_members} entries"
            )
        path = _safe_path(member)
        size += member.size
        if size > limits.max_unpacked:
            raise PayloadTooLarge(
                "bundle_too_large", f"the bundle unpacks to more than {limits.max_unpacked} bytes"
            )
        if member.isfile():
            files.add(path)
    return BundleInfo(frozenset(files), size)


def _safe_path(member: tarfile.TarInfo) -> str:
    name = member.name
    if member.issym() or member.islnk():
        raise Unprocessable("unsafe_bundle", f"the bundle entry {name!r} is a link")
    if not (member.isfile() or member.isdir()):
        raise Unprocessable("unsafe_bundle", f"the bundle entry {name!r} is a special file")
    if name.startswith("/") or "\\" in name or (len(name) > 1 and name[1] == ":"):
        raise Unprocessable("unsafe_bundle", f"the bundle entry {name!r} has an absolute path")
    if ".." in name.split("/"):
        raise Unprocessable("unsafe_bundle", f"the bundle entry {name!r} leaves the bundle")
    return normalize(name)


def normalize(path: str) -> str:
    """``./a//b/`` → ``a/b``; ``.`` for the root."""
    return posixpath.normpath(path).lstrip("/") or "."
