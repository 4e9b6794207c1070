"""A publish's validate-only mode (``PUT .../versions/{v}?dry_run=true``): every check a
publish runs, and nothing stored.

``nestry publish --dry-run`` used to check only locally, so it said "Would publish" for
templates the registry then refused (issue 14, item 5). The endpoint runs the body checks
(``registry.publish.checks``) before this module; here, on a read-only session, the checks
that need the database: the version is new or identical (else 409 ``version_exists``), and
every nested reference is one this namespace may nest (``registry.publish.nested``). No row,
blob, audit entry or namespace is created.
"""

from __future__ import annotations

from registry.auth.credentials import Principal
from registry.publish.checks import Checked
from registry.publish.nested import NestedContext, dependency_rows
from registry.publish.service import existing_version
from registry.publish.shapes import DryRun
from registry.state import RegistryState


async def validate(state: RegistryState, principal: Principal, checked: Checked) -> DryRun:
    """What the publish would do, or the ``ApiError`` it would raise."""
    async with state.database.reader() as session:
        existing = await existing_version(session, checked)
        context = NestedContext(
            principal,
            state.registry_host,
            checked.bundle.files if checked.bundle else None,
            checked.template_dir,
            checked.namespace,
        )
        dependencies = await dependency_rows(session, checked.template.references, context)
    return DryRun(
        dry_run=True,
        application=f"{checked.namespace}/{checked.name}",
        version=checked.version,
        digest=checked.digest,
        would_create=existing is None,  # False: an identical retry, answered 200
        capabilities=list(checked.capabilities or checked.template.capabilities),
        dependencies=len(dependencies),
    )
