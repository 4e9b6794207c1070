"""Unpack a code bundle (tar.gz) safely: regular files and directories only, relative paths
that stay inside the target, and bounded sizes so a decompression bomb stops early."""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from client.install.errors import BundleError


@dataclass(frozen=True)
class BundleLimits:
    max_files: int = 10_000
    max_total_bytes: int = 512 * 1024 * 1024


def unpack_bundle(data: bytes, target: Path, *, limits: BundleLimits | None = None) -> list[Path]:
    """Extract ``data`` under ``target``; returns the files written (relative to ``target``)."""
    limits = limits or BundleLimits()
    written: list[Path] = []
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive:
                relative = _safe_relative(member)
                if member.isdir():
                    (target / relative).mkdir(parents=True, exist_ok=True)
                    continue
                total += member.size
                if len(written) >= limits.max_files or total > limits.max_total_bytes:
                    raise BundleError("bundle exceeds the file count or size limit")
                _extract_file(archive, member, target / relative)
                written.append(relative)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BundleError(f"bundle is not a readable tar.gz ({exc})") from None
    return written


def _safe_relative(member: tarfile.TarInfo) -> Path:
    if not (member.isfile() or member.isdir()):
        raise BundleError(f"bundle entry {member.name!r} is a link or special file")
    posix = PurePosixPath(member.name)
    if posix.is_absolute() or "\\" in member.name or ".." in posix.parts:
        raise BundleError(f"bundle entry {member.name!r} escapes the bundle directory")
    parts = [p for p in posix.parts if p not in ("", ".")]
    if not parts:
        raise BundleError(f"bundle entry {member.name!r} has no name")
    return Path(*parts)


def _extract_file(archive: tarfile.TarFile, member: tarfile.TarInfo, dest: Path) -> None:
    source = archive.extractfile(member)
    if source is None:
        raise BundleError(f"bundle entry {member.name!r} cannot be read")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with source, dest.open("wb") as out:
        # Read in bounded chunks: member.size comes from the header and could lie.
        remaining = member.size
        while chunk := source.read(min(remaining, 1 << 20)):
            out.write(chunk)
            remaining -= len(chunk)
    dest.chmod(0o755 if member.mode & 0o111 else 0o644)
