"""SHA-256 for the install path, without loading OpenSSL for small inputs.

``hashlib.sha256`` is OpenSSL's: the first call loads libcrypto, ~12M instructions (~2 ms), a
noticeable share of a warm install that hashes a few kilobytes of templates (bench/README.md
item 7). CPython also ships its own SHA-256 (``_sha256`` up to 3.11, ``_sha2`` since 3.12): no
library to load, but ~6x slower per byte. Inputs below ``SMALL`` go to it when it is there;
larger ones (code bundles) and any interpreter without it use ``hashlib``. Same digests
either way.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Protocol

SMALL = 256 * 1024  # ~0.8 ms with the built-in hash: less than loading OpenSSL


class Hash(Protocol):
    def hexdigest(self) -> str: ...


def _builtin() -> Callable[[bytes], Hash] | None:
    for module in ("_sha2", "_sha256"):  # private modules: used only if present and working
        try:
            constructor: Callable[[bytes], Hash] = importlib.import_module(module).sha256
            if constructor(b"").hexdigest() == _EMPTY:
                return constructor
        except (ImportError, AttributeError):
            continue
    return None


_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"  # sha256(b"")
_BUILTIN = _builtin()


def sha256_hex(data: bytes) -> str:
    """The hex SHA-256 of ``data``."""
    if _BUILTIN is not None and len(data) < SMALL:
        return _BUILTIN(data).hexdigest()
    import hashlib

    return hashlib.sha256(data).hexdigest()
