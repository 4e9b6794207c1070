"""SHA-256 as the install path writes it: lowercase hex, as in ``sha256:<hex>`` digests."""

from __future__ import annotations

import hashlib


def sha256_hex(data: bytes) -> str:
    """The hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()
