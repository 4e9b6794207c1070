"""The install benchmark's dependency tree: 20 distinct apps, 50 references, depth 3.

The user's template nests 4 top apps; each top nests 3 of 6 middle apps (each middle is
nested twice); the middles nest 17 references to 10 leaves. 4 + 12 + 2 x 17 = 50.
"""

from __future__ import annotations

from collections.abc import Iterator

TOPS = [f"top-{i}" for i in range(4)]
MIDS = [f"mid-{i}" for i in range(6)]
LEAVES = [f"leaf-{i}" for i in range(10)]
ROOT = list(TOPS)
CHILDREN: dict[str, list[str]] = {
    "top-0": ["mid-0", "mid-1", "mid-2"],
    "top-1": ["mid-3", "mid-4", "mid-5"],
    "top-2": ["mid-0", "mid-2", "mid-4"],
    "top-3": ["mid-1", "mid-3", "mid-5"],
    "mid-0": ["leaf-0", "leaf-1", "leaf-2"],
    "mid-1": ["leaf-3", "leaf-4", "leaf-5"],
    "mid-2": ["leaf-6", "leaf-7", "leaf-8"],
    "mid-3": ["leaf-9", "leaf-0", "leaf-1"],
    "mid-4": ["leaf-2", "leaf-3", "leaf-4"],
    "mid-5": ["leaf-5", "leaf-6"],
    **{leaf: [] for leaf in LEAVES},
}
APPS = TOPS + MIDS + LEAVES
VERSIONS = ["1.0.0", "1.1.0", "1.2.0"]


def references(children: list[str] | None = None) -> Iterator[tuple[str, int]]:
    """Every reference in the tree under ``children`` (default: the root) with its depth."""
    stack = [(name, 1) for name in (ROOT if children is None else children)]
    while stack:
        name, depth = stack.pop()
        yield name, depth
        stack += [(child, depth + 1) for child in CHILDREN[name]]


def logical_id(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def shape() -> tuple[int, int, int]:
    """(references, distinct apps, depth) — checked by the benchmark before it runs."""
    refs = list(references())
    return len(refs), len({name for name, _ in refs}), max(depth for _, depth in refs)
