"""Rendered templates kept by the hash of what was rendered, so a warm install dumps nothing.

``dump_template`` runs PyYAML's pure-Python emitter (for the same bytes with or without
libyaml), the dearest step of a warm install. Its output depends only on the document and on
the dumper's own code, so install keeps it on disk, beside the download cache::

    <cache>/rendered/<first two hex>/<key>      "sha256:<hex of the YAML>\\n" then the YAML

``key`` is the sha256 of the dumper's fingerprint (PyYAML's version, Python's, the sources of
``client.template.dumper`` and ``client.template.intrinsics``) and of ``repr(document)``. The
dumper accepts only plain values (dict, list, tuple, str, int, float, bool, None, and the few
other types PyYAML's safe dumper knows), and their repr shows every difference it could render:
type, text, key order. Another document or another dumper gives another key, so no entry ever
goes stale in place. An entry is used only when its YAML hashes to its header; a damaged one
is deleted and the document rendered again. The cache only saves time: when it cannot be read
or written, the document is rendered as if it were not there.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from client.install.cache import write_atomic
from client.install.digests import sha256_hex
from client.template import dump_template

_HEADER = b"sha256:"


def render(document: dict[str, Any]) -> bytes:
    """The template's YAML as written to the build directory (no cache)."""
    return dump_template(document).encode("utf-8")


@functools.cache
def fingerprint() -> str | None:
    """What the dumper's output depends on besides the document; None when it cannot be read."""
    import yaml

    from client.template import dumper, intrinsics

    parts = [f"{yaml.__version__} {sys.version_info[:2]}".encode()]
    for module in (dumper, intrinsics):
        try:
            parts.append(Path(module.__file__ or "").read_bytes())
        except OSError:
            return None  # e.g. run from a zip: no cache rather than one that could go stale
    return sha256_hex(b"".join(parts))


class RenderCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def key(self, document: Mapping[str, Any]) -> str | None:
        stamp = fingerprint()
        if stamp is None:
            return None
        return sha256_hex(f"{stamp}\n{document!r}".encode())

    def path_for(self, key: str) -> Path:
        return self.root / key[:2] / key

    def render(self, document: dict[str, Any]) -> bytes:
        """``render(document)``, from the cache when this exact document was rendered before."""
        key = self.key(document)
        if key is None:
            return render(document)
        found = self._get(self.path_for(key))
        if found is not None:
            return found
        data = render(document)
        header = _HEADER + sha256_hex(data).encode() + b"\n"
        # A read-only or full cache: the build is still right, only slower next time.
        with contextlib.suppress(OSError):
            write_atomic(self.path_for(key), header + data)
        return data

    def _get(self, path: Path) -> bytes | None:
        try:
            entry = path.read_bytes()
        except OSError:
            return None
        header, _, data = entry.partition(b"\n")
        if header != _HEADER + sha256_hex(data).encode():
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
            return None
        return data
