"""Every value of a JSON-like tree (a parsed template, a request body), walked iteratively.

Pure: no I/O. Iterative, so a deeply nested document costs no recursion (and no
``RecursionError``) whatever a caller sends.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def nodes(value: Any, *, keys: bool = False) -> Iterator[Any]:
    """``value`` and every value nested in its dicts and lists, in no promised order; with
    ``keys``, every dict key too."""
    stack = [value]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, dict):
            if keys:
                stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
