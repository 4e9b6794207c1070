"""A version's capabilities: its template's and those of the local child templates in its
bundle, recursively (``client.template.capabilities.tree_capabilities``).

realworld-serverless-application's root template holds only nested applications; its children
hold the IAM roles, so its root alone said ``CAPABILITY_AUTO_EXPAND`` and the deploy command
nestry printed would fail (issue 14, item 2). Runs after ``check_bundle`` has bounded the
archive (members and unpacked bytes); each child is read up to the template size limit.
"""

from __future__ import annotations

import io
import tarfile

from client.bundles import normalize
from client.template import LocationKind, Template
from client.template.capabilities import tree_capabilities


def version_capabilities(
    template: Template, bundle: bytes | None, template_dir: str, max_template_bytes: int
) -> tuple[str, ...]:
    """The capabilities deploying this version needs, local children included."""
    if bundle is None or not any(r.kind is LocationKind.LOCAL for r in template.references):
        return template.capabilities
    with tarfile.open(fileobj=io.BytesIO(bundle), mode="r:gz") as archive:
        members = {normalize(m.name): m for m in archive.getmembers() if m.isfile()}

        def read(path: str) -> bytes | None:
            member = members.get(path)
            if member is None or member.size > max_template_bytes:
                return None
            handle = archive.extractfile(member)
            return handle.read() if handle is not None else None

        return tree_capabilities(template.document, read, template_dir)
