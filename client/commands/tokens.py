"""``nestry token create|list|revoke``: API tokens of the logged-in user (creating and revoking
others need an admin-scope token); owners also create tokens for their namespaces' members."""

from __future__ import annotations

from typing import Any

import click

from client.api import orgs as api_orgs
from client.commands.context import Context, json_option, pass_context
from client.commands.output import table


@click.group()
def token() -> None:
    """Create, list and revoke API tokens (rotate: create a new one, then revoke the old)."""


@token.command("create")
@click.option("--namespace", "namespaces", multiple=True, help="Repeatable.")
@click.option(
    "--scope", type=click.Choice(["read", "publish", "admin"]), default="read", show_default=True
)
@click.option("--expires-in-days", type=click.IntRange(1, 3650), default=None)
@click.option("--description", default=None)
@click.option(
    "--for",
    "member",
    metavar="USER",
    default=None,
    help="A member of the namespaces (you own them): the token is theirs, within their role.",
)
@json_option
@pass_context
def create(
    state: Context,
    namespaces: tuple[str, ...],
    scope: str,
    expires_in_days: int | None,
    description: str | None,
    member: str | None,
) -> None:
    """Create a token (no wider than the one you use); it is printed once, on the last line.

    With --for USER, an owner of every --namespace creates it for that member, whose role
    there must allow --scope (reader: read, publisher: publish, owner: admin); hand it to them.
    """
    body: dict[str, Any] = {"scope": scope, "namespaces": list(namespaces)}
    if expires_in_days:
        body["expires_in_days"] = expires_in_days
    if description:
        body["description"] = description
    if member:
        body["user"] = member
    answer = api_orgs.create_token(state.default_client(), body)

    def human() -> None:
        where = ", ".join(answer.get("namespaces", [])) or "no namespace"
        whose = f" for {member}" if member else ""
        click.echo(f"New {scope} token {answer['id']}{whose} on {where} (shown only once):")
        click.echo(answer["token"])

    state.output.result(answer, human)


@token.command("list")
@json_option
@pass_context
def list_tokens(state: Context) -> None:
    """List your tokens, those owners created for you included (never their secrets)."""
    answer = api_orgs.tokens(state.default_client())
    rows = [
        (
            t["id"],
            t["prefix"] + "…",
            t["scope"],
            t["namespaces"],
            t["expires_at"],
            "revoked" if t.get("revoked_at") else "active",
            t["description"],
        )
        for t in answer.get("tokens", [])
    ]
    headers = ["ID", "PREFIX", "SCOPE", "NAMESPACES", "EXPIRES", "STATE", "DESCRIPTION"]
    state.output.result(answer, lambda: click.echo(table(rows, headers)))


@token.command("revoke")
@click.argument("token_id", type=int, metavar="ID")
@json_option
@pass_context
def revoke(state: Context, token_id: int) -> None:
    """Revoke token ID (see `nestry token list`); it stops working at once."""
    answer = api_orgs.revoke_token(state.default_client(), token_id)
    state.output.result(answer, lambda: click.echo(f"Revoked token {token_id}."))


COMMANDS = [token]
