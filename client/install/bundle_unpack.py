"""Unpack a code bundle (tar.gz) into the build directory, after ``client.bundles``' checks."""

from __future__ import annotations

from pathlib import Path

from client.bundles import BundleLimits, UnsafeBundleError, members
from client.install.errors import BundleError

__all__ = ["BundleLimits", "unpack_bundle"]


def unpack_bundle(data: bytes, target: Path, *, limits: BundleLimits | None = None) -> list[Path]:
    """Extract ``data`` under ``target``; returns the files written (relative to ``target``)."""
    written: list[Path] = []
    try:
        for member in members(data, limits or BundleLimits()):
            if member.path == ".":
                continue
            relative = Path(*member.path.split("/"))
            if member.info.isdir():
                (target / relative).mkdir(parents=True, exist_ok=True)
                continue
            dest = target / relative
            dest.parent.mkdir(parents=True, exist_ok=True)
            with dest.open("wb") as out:
                for piece in member.read():
                    out.write(piece)
            dest.chmod(0o755 if member.info.mode & 0o111 else 0o644)
            written.append(relative)
    except UnsafeBundleError as exc:
        raise BundleError(f"{exc.message} ({exc.code})") from None
    return written
