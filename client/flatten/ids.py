"""Fresh logical ids and variable names for what inlining has to invent."""

from __future__ import annotations


def fresh_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base2``, ``base3``, ...: the first one not in ``taken``."""
    candidate, counter = base, 1
    while candidate in taken:
        counter += 1
        candidate = f"{base}{counter}"
    return candidate
