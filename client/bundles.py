"""Code bundles (tar.gz): the one safety check that publish (registry) and install (client) share.

A bundle is accepted when it is a gzip-compressed tar of regular files and directories whose
paths stay inside it: refused are absolute paths (``/x``, ``\\x``, ``C:x``), ``..``, links
(symbolic and hard), devices and other special files — checked by hand and again by tarfile's
own ``data`` extraction filter — more than ``max_members`` entries, and more than
``max_unpacked`` bytes once decompressed. Decompression is streamed and capped, so a
decompression bomb costs at most the cap. Works on bytes in memory; writing files is the caller's.
"""

from __future__ import annotations

import gzip
import io
import posixpath
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from client.errors import NestryError

# Tar headers and padding are not file content; allow for them on top of the content cap.
_HEADER_SLACK = 1024


@dataclass(frozen=True)
class BundleLimits:
    max_unpacked: int = 512 * 1024 * 1024
    max_members: int = 10_000


class UnsafeBundleError(NestryError):
    """A bundle refused by ``members``. ``code`` says why (a stable error code):
    ``invalid_bundle`` (not a tar.gz), ``unsafe_bundle`` (a path or entry type),
    ``bundle_too_many_files`` or ``bundle_too_large``."""

    hint = "A code bundle is a tar.gz of regular files and directories with relative paths."

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Member:
    """One safe entry: its normalized relative path, and the archive positioned on it."""

    info: tarfile.TarInfo
    path: str  # normalized, relative, "/"-separated; "." for the root directory
    archive: tarfile.TarFile

    def read(self, chunk: int = 1 << 20) -> Iterator[bytes]:
        """A regular file's content, in bounded pieces (the header's size may lie)."""
        source = self.archive.extractfile(self.info)
        if source is None:
            raise UnsafeBundleError(
                "invalid_bundle", f"bundle entry {self.info.name!r} is unreadable"
            )
        with source:
            while piece := source.read(chunk):
                yield piece


def members(data: bytes, limits: BundleLimits) -> Iterator[Member]:
    """Every entry of the bundle in order, each checked before it is yielded; raises
    ``UnsafeBundleError`` at the first refusal. Read a member's content before asking for the
    next one (the archive is streamed)."""
    if not data.startswith(b"\x1f\x8b"):
        raise UnsafeBundleError("invalid_bundle", "the bundle is not a gzip-compressed tar archive")
    cap = limits.max_unpacked + _HEADER_SLACK * (limits.max_members + 2)
    reader = _CappedReader(gzip.GzipFile(fileobj=io.BytesIO(data)), cap)
    size = 0
    try:
        with tarfile.open(fileobj=io.BufferedReader(reader), mode="r|") as archive:
            for count, info in enumerate(archive, start=1):
                if count > limits.max_members:
                    raise UnsafeBundleError(
                        "bundle_too_many_files",
                        f"the bundle has more than {limits.max_members} entries",
                    )
                path = safe_path(info)
                size += info.size
                if size > limits.max_unpacked:
                    raise _too_large(limits.max_unpacked)
                yield Member(info, path, archive)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise UnsafeBundleError(
            "invalid_bundle", f"the bundle is not a valid tar.gz: {exc}"
        ) from None


def safe_path(info: tarfile.TarInfo) -> str:
    """The entry's normalized relative path; ``UnsafeBundleError`` for anything else."""
    name = info.name
    if info.issym() or info.islnk():
        raise UnsafeBundleError("unsafe_bundle", f"the bundle entry {name!r} is a link")
    if not (info.isfile() or info.isdir()):
        raise UnsafeBundleError("unsafe_bundle", f"the bundle entry {name!r} is a special file")
    if name.startswith("/") or "\\" in name or (len(name) > 1 and name[1] == ":"):
        raise UnsafeBundleError("unsafe_bundle", f"the bundle entry {name!r} has an absolute path")
    if ".." in name.split("/"):
        raise UnsafeBundleError("unsafe_bundle", f"the bundle entry {name!r} leaves the bundle")
    try:  # the standard library's rule too, so a case we missed is still refused
        tarfile.data_filter(info, "/bundle")
    except tarfile.FilterError as exc:
        raise UnsafeBundleError("unsafe_bundle", f"the bundle entry {name!r}: {exc}") from None
    return normalize(name)


def normalize(path: str) -> str:
    """``./a//b/`` → ``a/b``; ``.`` for the root."""
    return posixpath.normpath(path).lstrip("/") or "."


def _too_large(cap: int) -> UnsafeBundleError:
    return UnsafeBundleError("bundle_too_large", f"the bundle unpacks to more than {cap} bytes")


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
            raise _too_large(self._cap)
        buffer[: len(data)] = data
        return len(data)
