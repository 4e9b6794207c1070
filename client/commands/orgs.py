"""``nestry namespace create|list|members|add-member|remove-member`` and ``nestry audit NS``."""

from __future__ import annotations

from typing import Any

import click

from client.api import orgs as api_orgs
from client.commands.context import Context, json_option, pass_context
from client.commands.output import table
from client.names import validate_namespace

ROLES = ("owner", "publisher", "reader")


@click.group()
def namespace() -> None:
    """Namespaces (organizations): create them, list and change their members."""


@namespace.command("create")
@click.argument("name")
@click.option("--kind", type=click.Choice(["org", "user"]), default="org", show_default=True)
@click.option(
    "--default-visibility",
    type=click.Choice(["private", "public"]),
    default="private",
    show_default=True,
    help="Visibility of apps first published here.",
)
@json_option
@pass_context
def create(state: Context, name: str, kind: str, default_visibility: str) -> None:
    """Create namespace NAME; you become its owner (needs an admin-scope token)."""
    validate_namespace(name)
    answer = api_orgs.create_namespace(
        state.default_client(), name, kind=kind, default_visibility=default_visibility
    )
    state.output.result(answer, lambda: click.echo(f"Created {kind} namespace {name}."))


@namespace.command("list")
@json_option
@pass_context
def list_namespaces(state: Context) -> None:
    """List the namespaces you belong to, your role in each, and whether this token covers it."""
    answer = api_orgs.my_namespaces(state.default_client())
    rows = [
        (n["namespace"], n["role"], n["kind"], n["default_visibility"], n["covered"])
        for n in answer.get("namespaces", [])
    ]

    def show() -> None:
        if not rows:
            click.echo(f"{answer.get('user')} belongs to no namespace.")
            return
        click.echo(table(rows, ["NAMESPACE", "ROLE", "KIND", "VISIBILITY", "THIS TOKEN"]))
        if not all(row[-1] for row in rows):
            click.echo(
                "This token does not cover every namespace: "
                "`nestry token create --namespace NS` makes one that does."
            )

    state.output.result(answer, show)


def _show_members(state: Context, answer: dict[str, Any]) -> None:
    rows = [(m["user"], m["role"]) for m in answer.get("members", [])]
    state.output.result(answer, lambda: click.echo(table(rows, ["USER", "ROLE"])))


@namespace.command("members")
@click.argument("name")
@json_option
@pass_context
def members(state: Context, name: str) -> None:
    """List the members of namespace NAME and their roles."""
    _show_members(state, api_orgs.members(state.default_client(), name))


@namespace.command("add-member")
@click.argument("name")
@click.argument("user")
@click.option("--role", type=click.Choice(ROLES), default="reader", show_default=True)
@json_option
@pass_context
def add_member(state: Context, name: str, user: str, role: str) -> None:
    """Add USER to namespace NAME, or change their role (owners only)."""
    _show_members(state, api_orgs.set_member(state.default_client(), name, user, role))


@namespace.command("remove-member")
@click.argument("name")
@click.argument("user")
@json_option
@pass_context
def remove_member(state: Context, name: str, user: str) -> None:
    """Remove USER from namespace NAME (owners only; their tokens lose access at once)."""
    _show_members(state, api_orgs.remove_member(state.default_client(), name, user))


@click.command()
@click.argument("name")
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@json_option
@pass_context
def audit(state: Context, name: str, limit: int) -> None:
    """Show the audit log of namespace NAME, newest first (owners only)."""
    answer = api_orgs.audit(state.default_client(), name, limit)
    rows = [
        (e["at"], e["actor"], e["action"], e["target"], e["address"])
        for e in answer.get("events", [])
    ]
    headers = ["WHEN", "WHO", "ACTION", "WHAT", "FROM"]
    state.output.result(answer, lambda: click.echo(table(rows, headers)))


COMMANDS = [namespace, audit]
