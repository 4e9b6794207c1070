"""``nestry search``, ``info`` and ``versions``: reading the registry."""

from __future__ import annotations

from typing import Any

import click

from client.commands.common import parse_spec, resolve_version, versions_of
from client.commands.context import Context, json_option, pass_context
from client.commands.output import table
from client.paths import SEARCH_SORTS


@click.command()
@click.argument("term", default="")
@click.option("--label", help="Only applications with this label.")
@click.option("--namespace", help="Only applications in this namespace.")
@click.option(
    "--sort",
    type=click.Choice(SEARCH_SORTS),
    help="Order: relevance (default with a TERM), downloads (default without), name, updated.",
)
@click.option("--limit", type=click.IntRange(1, 100), help="At most this many results.")
@json_option
@pass_context
def search(
    state: Context,
    term: str,
    label: str | None,
    namespace: str | None,
    sort: str | None,
    limit: int | None,
) -> None:
    """Find applications by name, description, labels and readme."""
    answer = state.default_client().search(
        term, label=label, namespace=namespace, sort=sort, limit=limit
    )
    hits = _hits(answer)
    rows = [
        (h.get("application"), h.get("latest_version"), _short(h.get("description"))) for h in hits
    ]
    state.output.result(
        answer,
        lambda: click.echo(
            table(rows, ["application", "latest", "description"])
            if rows
            else f"No applications match {term!r}."
        ),
    )


def _hits(answer: dict[str, Any]) -> list[dict[str, Any]]:
    results = answer.get("results")
    return [hit for hit in results if isinstance(hit, dict)] if isinstance(results, list) else []


def _short(text: Any, width: int = 72) -> Any:
    """Long descriptions would wrap every table row; the JSON output keeps them whole."""
    if not isinstance(text, str) or len(text) <= width:
        return text
    return text[: width - 3].rstrip() + "..."


@click.command()
@click.argument("spec", metavar="APP[@RANGE]")
@json_option
@pass_context
def info(state: Context, spec: str) -> None:
    """Parameters, outputs, capabilities, versions and dependents of an application."""
    app, wanted = parse_spec(spec)
    client = state.client_for(app)
    version = resolve_version(client, app, wanted)
    document = client.version_document(app, version)
    app_doc = client.app_document(app)
    dependents = client.dependents(app)
    result = {"application": app_doc, "version": document, "dependents": dependents}
    state.output.result(result, lambda: _show_info(app_doc, document, dependents))


def _show_info(app_doc: dict[str, Any], doc: dict[str, Any], dependents: dict[str, Any]) -> None:
    meta = doc.get("metadata") or {}
    click.echo(f"{doc.get('application')}@{doc.get('version')}  {doc.get('digest')}")
    for label, value in (
        ("description", app_doc.get("description")),
        ("author", app_doc.get("author")),
        ("license", app_doc.get("spdx_license_id")),
        ("home page", app_doc.get("home_page_url")),
        ("labels", ", ".join(meta.get("labels") or app_doc.get("labels") or [])),
    ):
        if value:
            click.echo(f"{label}: {value}")
    if doc.get("deprecated"):
        click.echo(f"DEPRECATED: {doc['deprecated']}")
    click.echo("\nParameters:")
    click.echo(
        table(
            _parameter_rows(doc.get("parameters") or {}),
            ["name", "type", "required/default", "allowed"],
        )
    )
    click.echo("\nOutputs:")
    outputs = doc.get("outputs") or {}
    click.echo(
        table(
            [(k, (v or {}).get("Description")) for k, v in outputs.items()], ["name", "description"]
        )
    )
    click.echo(f"\nCapabilities: {', '.join(doc.get('capabilities') or []) or 'none'}")
    click.echo("\nVersions:")
    click.echo(_versions_table(app_doc))
    names = [d.get("application") for d in _dependents(dependents)]
    click.echo(f"\nDependents: {', '.join(str(n) for n in names) or 'none'}")


def _parameter_rows(parameters: dict[str, Any]) -> list[tuple[Any, ...]]:
    rows = []
    for name, definition in parameters.items():
        definition = definition if isinstance(definition, dict) else {}
        default = definition.get("Default")
        need = "required" if default is None else f"default {default or repr(default)}"
        rows.append((name, definition.get("Type"), need, definition.get("AllowedValues")))
    return rows


def _dependents(answer: dict[str, Any]) -> list[dict[str, Any]]:
    items = answer.get("dependents")
    return [d for d in items if isinstance(d, dict)] if isinstance(items, list) else []


def _versions_table(app_doc: dict[str, Any]) -> str:
    tags: dict[str, list[str]] = {}
    for tag, version in (app_doc.get("dist_tags") or {}).items():
        tags.setdefault(version, []).append(tag)
    rows = [
        (
            v.get("version"),
            v.get("published_at"),
            tags.get(str(v.get("version"))),
            f"yanked: {v.get('yanked_reason') or 'yes'}"
            if v.get("yanked")
            else v.get("deprecated"),
        )
        for v in versions_of(app_doc)
    ]
    return table(rows, ["version", "published", "tags", "status"])


@click.command()
@click.argument("app", metavar="APP")
@json_option
@pass_context
def versions(state: Context, app: str) -> None:
    """Every version of an application, with dist-tags, yanks and deprecations."""
    app_id, _ = parse_spec(app)
    app_doc = state.client_for(app_id).app_document(app_id)
    result = {
        "application": app_doc.get("application"),
        "dist_tags": app_doc.get("dist_tags"),
        "versions": versions_of(app_doc),
    }
    state.output.result(result, lambda: click.echo(_versions_table(app_doc)))


COMMANDS = [search, info, versions]
