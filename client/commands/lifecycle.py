"""``nestry yank``, ``unyank``, ``deprecate`` and ``dist-tag``: thin calls to the lifecycle API."""

from __future__ import annotations

import click

from client.commands.common import checked_tag, parse_exact, parse_spec
from client.commands.context import Context, json_option, pass_context
from client.commands.output import table


@click.command()
@click.argument("spec", metavar="APP@VERSION")
@click.option("--reason", help="Why (shown to everyone who installs it).")
@json_option
@pass_context
def yank(state: Context, spec: str, reason: str | None) -> None:
    """Stop ranges from picking a version (existing lockfiles keep working)."""
    app, version = parse_exact(spec)
    answer = state.client_for(app).yank(app, version, reason)
    state.output.result(answer, lambda: click.echo(f"Yanked {app.display}@{version}."))


@click.command()
@click.argument("spec", metavar="APP@VERSION")
@json_option
@pass_context
def unyank(state: Context, spec: str) -> None:
    """Let ranges pick a yanked version again."""
    app, version = parse_exact(spec)
    answer = state.client_for(app).unyank(app, version)
    state.output.result(answer, lambda: click.echo(f"Unyanked {app.display}@{version}."))


@click.command()
@click.argument("spec", metavar="APP@VERSION")
@click.argument("message")
@json_option
@pass_context
def deprecate(state: Context, spec: str, message: str) -> None:
    """Mark a version deprecated with MESSAGE (it stays installable)."""
    app, version = parse_exact(spec)
    answer = state.client_for(app).deprecate(app, version, message)
    state.output.result(
        answer, lambda: click.echo(f"Deprecated {app.display}@{version}: {message}")
    )


@click.group("dist-tag")
def dist_tag() -> None:
    """Move, drop or list dist-tags (named pointers such as latest or beta)."""


@dist_tag.command("add")
@click.argument("spec", metavar="APP@VERSION")
@click.argument("tag")
@json_option
@pass_context
def tag_add(state: Context, spec: str, tag: str) -> None:
    """Point TAG at APP@VERSION."""
    app, version = parse_exact(spec)
    answer = state.client_for(app).set_dist_tag(app, checked_tag(tag), version)
    state.output.result(answer, lambda: click.echo(f"{app.display}: {tag} -> {version}"))


@dist_tag.command("rm")
@click.argument("app_text", metavar="APP")
@click.argument("tag")
@json_option
@pass_context
def tag_rm(state: Context, app_text: str, tag: str) -> None:
    """Drop TAG from APP."""
    app, _ = parse_spec(app_text)
    answer = state.client_for(app).remove_dist_tag(app, checked_tag(tag))
    state.output.result(answer, lambda: click.echo(f"{app.display}: removed {tag}"))


@dist_tag.command("ls")
@click.argument("app_text", metavar="APP")
@json_option
@pass_context
def tag_ls(state: Context, app_text: str) -> None:
    """List APP's dist-tags."""
    app, _ = parse_spec(app_text)
    tags = state.client_for(app).app_document(app).get("dist_tags") or {}
    rows = sorted(tags.items())
    state.output.result(tags, lambda: click.echo(table(rows, ["tag", "version"])))


COMMANDS = [yank, unyank, deprecate, dist_tag]
