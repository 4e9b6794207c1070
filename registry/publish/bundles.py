"""Code bundles at publish: ``client.bundles``' safety check, answered as HTTP errors.

A bundle that unpacks past the limit is 413; any other refusal is 422 with the check's code.
"""

from __future__ import annotations

from dataclasses import dataclass

from client.bundles import BundleLimits, UnsafeBundleError, members
from registry.errors import PayloadTooLarge, Unprocessable

__all__ = ["BundleInfo", "BundleLimits", "check_bundle"]


@dataclass(frozen=True)
class BundleInfo:
    files: frozenset[str]  # normalized relative paths of regular files
    unpacked_size: int


def check_bundle(data: bytes, limits: BundleLimits) -> BundleInfo:
    """Return the bundle's file list, or raise ``Unprocessable``/``PayloadTooLarge``."""
    files: set[str] = set()
    size = 0
    try:
        for member in members(data, limits):
            size += member.info.size
            if member.info.isfile():
                files.add(member.path)
    except UnsafeBundleError as exc:
        error = PayloadTooLarge if exc.code == "bundle_too_large" else Unprocessable
        raise error(exc.code, exc.message) from None
    return BundleInfo(frozenset(files), size)
