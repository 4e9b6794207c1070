"""Content-addressed download cache: templates and bundles stored by their sha256 digest.

An entry is trusted only after its bytes hash to its name; one that does not is deleted and
reported as missing, so the caller fetches it again instead of using it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from client.install.digests import sha256_hex
from client.install.errors import DigestMismatchError

_DIGEST = re.compile(r"sha256:([0-9a-f]{64})")


def sha256_digest(data: bytes) -> str:
    return "sha256:" + sha256_hex(data)


def verify(data: bytes, digest: str, *, what: str) -> bytes:
    """``data`` itself when it hashes to ``digest``; otherwise DigestMismatchError."""
    actual = sha256_digest(data)
    if actual != digest:
        raise DigestMismatchError(f"{what}: expected {digest}, got {actual}")
    return data


def default_cache_dir(env: Mapping[str, str] = os.environ) -> Path:
    """``$NESTRY_CACHE_DIR``, else ``$XDG_CACHE_HOME/nestry``, else ``~/.cache/nestry``."""
    if env.get("NESTRY_CACHE_DIR"):
        return Path(env["NESTRY_CACHE_DIR"])
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]) / "nestry"
    return Path.home() / ".cache" / "nestry"


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temp file in the same directory and rename, so readers never see half."""
    import tempfile  # only when writing: a warm install reads the cache and writes nothing

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Cache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, digest: str) -> Path:
        match = _DIGEST.fullmatch(digest)
        if match is None:
            raise DigestMismatchError(f"malformed digest {digest!r}")
        hexdigest = match.group(1)
        return self.root / "sha256" / hexdigest[:2] / hexdigest

    def get(self, digest: str) -> bytes | None:
        """The verified bytes for ``digest``, or None (a corrupt entry is removed)."""
        path = self.path_for(digest)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        if sha256_digest(data) != digest:
            path.unlink(missing_ok=True)
            return None
        return data

    def put(self, digest: str, data: bytes) -> None:
        """Store ``data`` under ``digest``; refuses bytes that do not match it."""
        verify(data, digest, what="cache write")
        write_atomic(self.path_for(digest), data)
