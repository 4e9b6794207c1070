"""Capabilities of local child templates: the user's (on disk) and each vendored app's (in its
code bundle), so the printed deploy command acknowledges what every nested stack needs
(issue 14, item 2; ``client.template.capabilities.tree_capabilities``)."""

from __future__ import annotations

import io
import posixpath
import tarfile
from collections.abc import Mapping
from pathlib import Path

from client.install.resolver import Node
from client.template import LocationKind, Template
from client.template.capabilities import tree_capabilities

MAX_TEMPLATE_BYTES = 1024 * 1024


def _has_local_children(template: Template) -> bool:
    return any(r.kind is LocationKind.LOCAL for r in template.references)


def user_capabilities(root: Template, directory: Path) -> set[str]:
    """The user's template's local children, read beside it."""
    if not _has_local_children(root):
        return set()

    def read(path: str) -> bytes | None:
        file = directory / path
        if not file.is_file() or file.stat().st_size > MAX_TEMPLATE_BYTES:
            return None
        return file.read_bytes()

    return set(tree_capabilities(root.document, read))


def bundle_capabilities(nodes: list[Node], bundles: Mapping[str, bytes]) -> set[str]:
    """Each vendored app's local children, read from its (verified) bundle."""
    found: set[str] = set()
    for node in nodes:
        data = bundles.get(node.pin.bundle_digest or "")
        if data is None or not _has_local_children(node.template):
            continue
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            files = [m for m in archive.getmembers() if m.isfile()]
            members = {posixpath.normpath(m.name).lstrip("/"): m for m in files}

            def read(path: str) -> bytes | None:
                member = members.get(path)  # noqa: B023  (used within this iteration)
                if member is None or member.size > MAX_TEMPLATE_BYTES:
                    return None
                handle = archive.extractfile(member)
                return handle.read() if handle is not None else None

            where = posixpath.dirname(node.pin.template_path or "")
            found |= set(tree_capabilities(node.template.document, read, where))
    return found
