"""``nestry-registry user list|create|disable`` and ``token list|revoke``: the administrator's
view of every user and token, straight from the database (no token needed: whoever runs this
can read the data directory or the database already).

``user disable`` revokes every token of the user: tokens are the only way in, and only an
administrator (here) or the user's own admin token, now revoked, can make new ones.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from registry.auth.accounts import ensure_user
from registry.db.models import Token, User, utcnow
from registry.db.session import Database
from registry.orgs import audit
from registry.orgs.audit import Who
from registry.settings import Settings

T = TypeVar("T")
WHO = Who("nestry-registry", "local")


def in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one committed write transaction on the configured database."""

    async def go() -> T:
        database = Database(settings.database_url)
        try:
            async with database.writer() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await database.dispose()

    return asyncio.run(go())


def _echo(rows: list[dict[str, Any]], as_json: bool, columns: list[str]) -> None:
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        click.echo("(none)")
        return
    cells = [[str(row[c]) if row[c] is not None else "-" for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    for line in [[c.upper() for c in columns], *cells]:
        click.echo("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())


async def _users(session: AsyncSession) -> list[dict[str, Any]]:
    active = (
        sa.select(sa.func.count(Token.id))
        .where(Token.user_id == User.id, Token.revoked_at.is_(None))
        .scalar_subquery()
    )
    rows = await session.execute(sa.select(User, active).order_by(User.name))
    return [
        {"name": u.name, "admin": u.is_admin, "active_tokens": n, "created_at": u.created_at}
        for u, n in rows.all()
    ]


async def _user(session: AsyncSession, name: str) -> User:
    found = (await session.scalars(sa.select(User).where(User.name == name))).first()
    if found is None:
        raise click.ClickException(f"no user {name!r} (nestry-registry user list shows them)")
    return found


async def _revoke(session: AsyncSession, tokens: list[Token], reason: str) -> list[int]:
    now = utcnow()
    for token in tokens:
        token.revoked_at = now
        audit.record(
            session, WHO, "token_revoke", namespace=None, target=str(token.id), reason=reason
        )
    return [token.id for token in tokens]


async def _tokens(session: AsyncSession, user: str | None) -> list[dict[str, Any]]:
    query = sa.select(Token, User.name).join(User, User.id == Token.user_id).order_by(Token.id)
    if user is not None:
        query = query.where(User.name == user)
    return [
        {
            "id": t.id,
            "user": name,
            "prefix": t.display_prefix,
            "scope": t.scope,
            "description": t.description,
            "expires_at": t.expires_at,
            "state": "revoked" if t.revoked_at else "active",
        }
        for t, name in (await session.execute(query)).all()
    ]


def register(main: click.Group, token: click.Group, settings: Callable[[], Settings]) -> None:
    """Add the administration commands to ``nestry-registry``."""
    json_flag = click.option("--json", "as_json", is_flag=True, help="Print JSON.")

    @main.group()
    def user() -> None:
        """Manage users: list, create, disable."""

    @user.command("list")
    @json_flag
    def user_list(as_json: bool) -> None:
        """Every user, whether it is an administrator, and its active tokens."""
        rows = in_transaction(settings(), _users)
        _echo(rows, as_json, ["name", "admin", "active_tokens", "created_at"])

    @user.command("create")
    @click.argument("name")
    @click.option("--admin", is_flag=True, help="An administrator (every namespace).")
    def user_create(name: str, admin: bool) -> None:
        """Create user NAME (then `nestry namespace add-member NS NAME` and a token)."""

        async def work(session: AsyncSession) -> bool:
            exists = (await session.scalars(sa.select(User.id).where(User.name == name))).first()
            await ensure_user(session, name, is_admin=admin)
            audit.record(session, WHO, "user_create", namespace=None, target=name, admin=admin)
            return exists is None

        created = in_transaction(settings(), work)
        click.echo(f"Created user {name}." if created else f"User {name} exists already.")

    @user.command("disable")
    @click.argument("name")
    def user_disable(name: str) -> None:
        """Revoke every token of user NAME: it can do nothing until given a new token."""

        async def work(session: AsyncSession) -> list[int]:
            found = await _user(session, name)
            query = sa.select(Token).where(Token.user_id == found.id, Token.revoked_at.is_(None))
            return await _revoke(session, list(await session.scalars(query)), "user disabled")

        revoked = in_transaction(settings(), work)
        click.echo(f"Disabled {name}: revoked {len(revoked)} token(s).")

    @token.command("list")
    @click.option("--user", "user_name", help="Only this user's tokens.")
    @json_flag
    def token_list(user_name: str | None, as_json: bool) -> None:
        """Every token (any user): id, owner, prefix, scope, expiry and state; never secrets."""
        rows = in_transaction(settings(), lambda session: _tokens(session, user_name))
        columns = ["id", "user", "prefix", "scope", "expires_at", "state", "description"]
        _echo(rows, as_json, columns)

    @token.command("revoke")
    @click.argument("token_id", type=int, metavar="ID")
    def token_revoke(token_id: int) -> None:
        """Revoke token ID of any user (see `nestry-registry token list`); at once."""

        async def work(session: AsyncSession) -> None:
            found = await session.get(Token, token_id)
            if found is None:
                raise click.ClickException(f"no token {token_id}")
            if found.revoked_at is None:
                await _revoke(session, [found], "revoked by the administrator")

        in_transaction(settings(), work)
        click.echo(f"Revoked token {token_id}.")
