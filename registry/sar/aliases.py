"""Aliases: a real SAR application ARN served by ``namespace/name`` on this registry.

Added by an administrator (``nestry-registry alias add``); honoured by ``/sar`` and by
``POST /v1/resolve``, so templates that name public SAR apps resolve against a mirror
unchanged. An alias grants nothing: the target app is read with the caller's own rights.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from client.errors import NestryError
from client.names import parse_app_id
from client.resolution import Request
from registry.db.models import Namespace, SarAlias
from registry.sar.shapes import PARTITION, ArnId, namespace_id_of, parse_arn


class AliasError(NestryError):
    code = "invalid_alias"
    hint = "An alias maps arn:aws:serverlessrepo:<region>:<account>:applications/<name> to ns/name."


@dataclass(frozen=True)
class Alias:
    arn: str  # as shown: the region left out (any region's ARN matches)
    target: str


def _shown(row: SarAlias) -> Alias:
    arn = ArnId(row.partition, "*", row.account, row.name)
    return Alias(str(arn), f"{row.target_namespace}/{row.target_name}")


def _arn(text: str) -> ArnId:
    arn = parse_arn(text.replace(":*:", "::", 1))
    if arn is None:
        raise AliasError(f"{text[:200]!r} is not a serverlessrepo application ARN")
    if arn.partition == PARTITION:
        raise AliasError(f"{text!r} is this registry's own ARN; it needs no alias")
    return arn


async def add(session: AsyncSession, arn_text: str, target: str) -> Alias:
    """Map ``arn_text`` to ``target`` (``namespace/name``), replacing an earlier mapping."""
    arn = _arn(arn_text)
    app_id = parse_app_id(target)
    if app_id.registry is not None:
        raise AliasError(f"the target {target!r} must be an app of this registry: ns/name")
    key = (arn.partition, arn.account, arn.name.lower())
    await session.execute(
        sa.delete(SarAlias).where(
            sa.tuple_(SarAlias.partition, SarAlias.account, SarAlias.name_canonical) == key
        )
    )
    row = SarAlias(
        partition=arn.partition,
        account=arn.account,
        name=arn.name,
        name_canonical=arn.name.lower(),
        target_namespace=app_id.namespace,
        target_name=app_id.name,
    )
    session.add(row)
    await session.flush()
    return _shown(row)


async def remove(session: AsyncSession, arn_text: str) -> bool:
    arn = _arn(arn_text)
    result = await session.execute(
        sa.delete(SarAlias).where(
            SarAlias.partition == arn.partition,
            SarAlias.account == arn.account,
            SarAlias.name_canonical == arn.name.lower(),
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def listed(session: AsyncSession) -> list[Alias]:
    rows = await session.scalars(
        sa.select(SarAlias).order_by(SarAlias.partition, SarAlias.account, SarAlias.name_canonical)
    )
    return [_shown(row) for row in rows]


async def target_of(session: AsyncSession, arn: ArnId) -> str | None:
    """The ``namespace/name`` an ARN stands for: ours by account number, SAR's by alias;
    None when nothing here answers to it."""
    if arn.partition == PARTITION:
        namespace_id = namespace_id_of(arn.account)
        namespace = namespace_id and await session.scalar(
            sa.select(Namespace.name).where(Namespace.id == namespace_id)
        )
        return f"{namespace}/{arn.name}" if namespace is not None else None
    row = (
        await session.execute(
            sa.select(SarAlias.target_namespace, SarAlias.target_name).where(
                SarAlias.partition == arn.partition,
                SarAlias.account == arn.account,
                SarAlias.name_canonical == arn.name.lower(),
            )
        )
    ).first()
    return f"{row[0]}/{row[1]}" if row is not None else None


def names_an_arn(requests: Sequence[Request]) -> bool:
    """Does any request name an application ARN? (Its answer depends on aliases, which no
    change notice covers: such answers are not kept.)"""
    return any(parse_arn(request.application) is not None for request in requests)


async def through_aliases(
    session: Callable[[], Awaitable[AsyncSession]], requests: Sequence[Request]
) -> list[Request]:
    """``requests`` with every application ARN this registry answers to (its own partition,
    or an alias) replaced by its ``namespace/name``; other ARNs are left for resolution to
    refuse. ``session`` opens the read session, only when there is an ARN to look up."""
    result = []
    for request in requests:
        arn = parse_arn(request.application)
        target = await target_of(await session(), arn) if arn is not None else None
        result.append(Request(target, request.range) if target is not None else request)
    return result
