"""``nestry share APP --with NS [--nest]`` and ``nestry unshare APP --with NS``."""

from __future__ import annotations

from typing import Any

import click

from client.api import orgs as api_orgs
from client.commands.context import Context, json_option, pass_context
from client.commands.failures import usage_failure
from client.names import parse_app_id


def _grantee(namespace: str | None, user: str | None) -> tuple[str, str]:
    if (namespace is None) == (user is None):
        raise usage_failure(
            "name one grantee", "Pass --with NAMESPACE or --user USER (exactly one)."
        )
    return ("namespace", namespace.lower()) if namespace else ("user", user or "")


def _describe(answer: dict[str, Any]) -> str:
    grants = answer.get("grants", [])
    shown = [
        f"{g.get('namespace') or 'user ' + str(g.get('user'))}{' (nest)' if g.get('nest') else ''}"
        for g in grants
    ]
    return f"{answer.get('application')} is {answer.get('visibility')}; shared with: " + (
        ", ".join(shown) or "nobody"
    )


@click.command()
@click.argument("app_text", metavar="APP")
@click.option("--with", "namespace", metavar="NS", help="Namespace to share with.")
@click.option("--user", help="User to share with (instead of a namespace).")
@click.option("--nest", is_flag=True, help="Also let apps in NS nest APP.")
@json_option
@pass_context
def share(
    state: Context, app_text: str, namespace: str | None, user: str | None, nest: bool
) -> None:
    """Let a namespace (or user) read a private APP; --nest also lets it nest APP."""
    key, name = _grantee(namespace, user)
    if nest and key == "user":
        raise usage_failure("--nest needs a namespace", "Share with --with NS to allow nesting.")
    app = parse_app_id(app_text)
    client = state.client_for(app)
    grants = api_orgs.with_grant(api_orgs.policy(client, app), {key: name, "nest": nest})
    answer = api_orgs.put_policy(client, app, {"grants": grants})
    state.output.result(answer, lambda: click.echo(_describe(answer)))


@click.command()
@click.argument("app_text", metavar="APP")
@click.option("--with", "namespace", metavar="NS", help="Namespace to stop sharing with.")
@click.option("--user", help="User to stop sharing with.")
@json_option
@pass_context
def unshare(state: Context, app_text: str, namespace: str | None, user: str | None) -> None:
    """Stop sharing APP with a namespace or user (takes effect at once)."""
    key, name = _grantee(namespace, user)
    app = parse_app_id(app_text)
    client = state.client_for(app)
    grants = api_orgs.without_grant(api_orgs.policy(client, app), key, name)
    answer = api_orgs.put_policy(client, app, {"grants": grants})
    state.output.result(answer, lambda: click.echo(_describe(answer)))


@click.command()
@click.argument("app_text", metavar="APP")
@click.argument("visibility", type=click.Choice(["public", "private"]))
@json_option
@pass_context
def visibility(state: Context, app_text: str, visibility: str) -> None:
    """Make APP public (anyone may read it) or private (its namespace and grantees only)."""
    app = parse_app_id(app_text)
    answer = api_orgs.put_policy(state.client_for(app), app, {"visibility": visibility})
    state.output.result(answer, lambda: click.echo(_describe(answer)))


COMMANDS = [share, unshare, visibility]
