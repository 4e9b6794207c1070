"""The Docker build context holds what the Dockerfile copies, and never the virtualenv, the
registry's data directory or caches (issue 14: the context carried .venv, 412 MB, and data)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as Docker reads it: ``**`` any depth, ``*`` within a segment."""
    parts = re.split(r"(\*\*/?|\*|\?)", pattern.strip("/"))
    table = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(table.get(p, re.escape(p)) for p in parts))


def _ignored(path: str) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    prefixes = ["/".join(path.split("/")[: i + 1]) for i in range(path.count("/") + 1)]
    ignored = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated, pattern = line.startswith("!"), line.lstrip("!")
        if any(_regex(pattern).fullmatch(prefix) for prefix in prefixes):
            ignored = not negated
    return ignored


def test_the_context_has_what_the_dockerfile_copies_and_nothing_private() -> None:
    copied = re.findall(r"^COPY (.+) \S+$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    sources = " ".join(copied).split()
    assert {"client", "registry", "alembic", "pyproject.toml"} <= set(sources)
    for source in sources:
        assert not _ignored(source), source
    for kept in ("client/cli.py", "registry/app.py", "alembic/env.py"):
        assert not _ignored(kept), kept
    for private in (
        ".venv/bin/python",
        ".nestry-data/registry.db",
        "data/blobs/ab/cd",
        ".git/config",
        "tests/conftest.py",
        "registry/__pycache__/app.cpython-311.pyc",
        ".env",
    ):
        assert _ignored(private), private
