"""Nested application references, checked at publish time and turned into dependency rows.

- registry references served here must resolve now: the app exists, the publisher may read it
  (else it is reported exactly like a missing app), the parent's namespace may nest it
  (``registry.auth.permissions.can_nest``: public, same namespace, or a ``nest`` grant) and some
  non-yanked version satisfies the range or dist-tag;
- references naming another registry host, SAR ARNs and URLs are recorded as external;
- local paths must name a file inside the version's bundle, relative to the template's place
  in it (``template_path``, by default the bundle root).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from client.errors import InvalidRangeError
from client.names import AppId
from client.ranges import Range, is_dist_tag
from client.template import LocationKind, Reference
from client.template.local_paths import escape
from registry.auth.access import readable_apps
from registry.auth.credentials import Principal
from registry.auth.permissions import can_nest
from registry.db.models import App, AppGrant, DistTag, Namespace, Version
from registry.errors import Unprocessable


@dataclass(frozen=True)
class NestedContext:
    principal: Principal
    registry_host: str | None  # our own host:port, from NESTRY_PUBLIC_URL
    bundle_files: frozenset[str] | None
    template_dir: str  # directory of the template inside the bundle ("" = root)
    namespace: str = ""  # the parent app's namespace


def check_local(reference: Reference, ctx: NestedContext) -> str:
    """The in-bundle path a local reference points at; ``Unprocessable`` if it is not there."""
    location = reference.location or ""
    if ctx.bundle_files is None:
        raise Unprocessable(
            "local_reference_without_bundle",
            f"{reference.logical_id} nests the local template {location!r}: "
            "publish a bundle that contains it",
        )
    joined = posixpath.normpath(posixpath.join(ctx.template_dir, location.replace("\\", "/")))
    if escape(location, ctx.template_dir, ctx.bundle_files) or joined not in ctx.bundle_files:
        raise Unprocessable(
            "local_reference_not_in_bundle",
            f"{reference.logical_id} nests {location!r}, which is not a file in the bundle",
        )
    return joined


async def dependency_rows(
    session: AsyncSession, references: tuple[Reference, ...], ctx: NestedContext
) -> list[dict[str, Any]]:
    """Check every reference; return the ``dependencies`` rows (without ``version_id``)."""
    rows = []
    for ref in references:
        row: dict[str, Any] = {
            "logical_id": ref.logical_id,
            "kind": ref.kind.value,
            "target_app": None,
            "external_id": None,
            "range": ref.version_spec,
            "location": ref.location,
        }
        if ref.kind is LocationKind.REGISTRY and ref.application_id is not None:
            if _is_ours(ref.application_id, ctx.registry_host):
                await _check_registry(session, ref, ref.application_id, ctx)
                row["target_app"] = ref.application_id.canonical
            else:
                row["external_id"] = str(ref.application_id)
        elif ref.kind is LocationKind.SAR:
            row["external_id"] = ref.sar_application_id
        elif ref.kind is LocationKind.LOCAL:
            row["location"] = check_local(ref, ctx)
        rows.append(row)
    return rows


def _is_ours(app_id: AppId, registry_host: str | None) -> bool:
    return app_id.registry is None or (
        registry_host is not None and app_id.registry.lower() == registry_host.lower()
    )


async def _check_registry(
    session: AsyncSession, ref: Reference, app_id: AppId, ctx: NestedContext
) -> None:
    app = (
        await session.execute(
            sa.select(App.id, App.visibility)
            .join(Namespace, Namespace.id == App.namespace_id)
            .where(Namespace.name == app_id.namespace.lower())
            .where(App.name_canonical == app_id.name.lower())
            .where(readable_apps(ctx.principal))
            # Held until the publish commits, so a concurrent delete of the child waits for
            # it and then sees this version among the child's dependents (PostgreSQL).
            .with_for_update(read=True, of=App)
        )
    ).first()
    if app is None:
        raise Unprocessable(
            "unknown_nested_app",
            f"{ref.logical_id} nests {app_id.display}, which is not on this registry",
        )
    nestable = can_nest(
        parent_namespace=ctx.namespace,
        child_namespace=app_id.namespace.lower(),
        child_public=app.visibility == "public",
        nest_grantees=await _nest_grantees(session, app.id),
    )
    if not nestable:
        raise Unprocessable(
            "nest_not_allowed",
            f"{ref.logical_id} nests the private app {app_id.display}, which is not shared "
            f"with {ctx.namespace!r} for nesting; ask its owners to share it with --nest",
        )
    spec = ref.version_spec or "latest"
    if not await _has_match(session, app.id, spec):
        raise Unprocessable(
            "no_matching_version",
            f"{ref.logical_id} asks for {app_id.display}@{spec}, "
            "but no published, non-yanked version matches",
        )


async def _nest_grantees(session: AsyncSession, app_id: int) -> set[str]:
    names = await session.scalars(
        sa.select(Namespace.name)
        .join(AppGrant, AppGrant.grantee_namespace_id == Namespace.id)
        .where(AppGrant.app_id == app_id, AppGrant.nest)
    )
    return set(names)


async def _has_match(session: AsyncSession, app_id: int, spec: str) -> bool:
    if is_dist_tag(spec):
        tagged = await session.scalar(
            sa.select(Version.id)
            .join(DistTag, DistTag.version_id == Version.id)
            .where(DistTag.app_id == app_id, DistTag.tag == spec, ~Version.yanked)
        )
        return tagged is not None
    try:
        wanted = Range.parse(spec)
    except InvalidRangeError as error:
        raise Unprocessable("invalid_range", error.message) from None
    versions = await session.scalars(
        sa.select(Version.version).where(Version.app_id == app_id, ~Version.yanked)
    )
    return wanted.max_satisfying(list(versions)) is not None
