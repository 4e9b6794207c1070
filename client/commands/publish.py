"""``nestry publish``: metadata from the template (as ``sam publish`` reads it), flags on top."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from client.commands.common import checked_tag
from client.commands.context import Context, json_option, pass_context
from client.commands.output import human_size, table
from client.commands.templates import default_template
from client.publish.request import PublishPlan, prepare


def _overrides(
    name: str | None,
    description: str | None,
    author: str | None,
    labels: tuple[str, ...],
    license_id: str | None,
    home_page: str | None,
) -> dict[str, Any]:
    return {
        "Name": name,
        "Description": description,
        "Author": author,
        "Labels": list(labels) or None,
        "SpdxLicenseId": license_id,
        "HomePageUrl": home_page,
    }


@click.command()
@click.argument(
    "template",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    required=False,
    callback=lambda _ctx, _param, value: default_template(value),
)
@click.option(
    "--namespace", "-n", help="Namespace to publish under (default: `namespace` in the config)."
)
@click.option("--version", "version", help="Version to publish (default: SemanticVersion).")
@click.option("--name", help="Application name (overrides Name).")
@click.option("--description", help="Overrides Description.")
@click.option("--author", help="Overrides Author.")
@click.option("--label", "labels", multiple=True, help="A label (repeat; replaces Labels).")
@click.option(
    "--license", "license_id", metavar="SPDX", help="SPDX license id (overrides SpdxLicenseId)."
)
@click.option("--home-page", help="Overrides HomePageUrl.")
@click.option(
    "--tag",
    callback=lambda _ctx, _param, value: None if value is None else checked_tag(value),
    help="Point this dist-tag (e.g. beta) at the new version; latest is not moved.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Run every check, the registry's too, and show what would be sent; store nothing.",
)
@json_option
@pass_context
def publish(
    state: Context,
    /,
    template: Path,
    namespace: str | None,
    version: str | None,
    tag: str | None,
    dry_run: bool,
    **fields: Any,
) -> None:
    """Publish TEMPLATE (default template.yaml, .yml or .json) with its code as a new version."""
    namespace = namespace or state.config().namespace
    with state.output.progress("Packing"):
        plan = prepare(
            template, namespace=namespace, version=version, overrides=_overrides(**fields)
        )
    client = state.client_for(plan.app)
    verb = "Checking" if dry_run else "Publishing"
    with state.output.progress(f"{verb} {plan.app.display}@{plan.version}"):
        status, document = client.publish(
            plan.app,
            plan.version,
            template=plan.template,
            metadata=plan.metadata,
            readme=plan.readme,
            license=plan.license,
            bundle=plan.bundle,
            tag=tag,
            dry_run=dry_run,
        )
    if dry_run:
        checked = _describe(plan, dry_run=True) | {
            "registry": client.base_url,
            "would_create": document.get("would_create") is not False,
        }
        state.output.result(checked, lambda: _show_plan(state, plan, checked))
        return
    created = status == 201
    result = _describe(plan, dry_run=False) | {
        "created": created,
        "registry": client.base_url,
        "digest": document.get("digest"),
    }
    verb = "Published" if created else "Already published (identical)"
    app_document = client.app_document(plan.app)
    visibility = app_document.get("visibility")
    result["visibility"] = visibility
    result["dist_tags"] = app_document.get("dist_tags")

    def show() -> None:
        click.echo(
            f"{verb} {plan.app.display}@{plan.version} to {client.base_url}"
            f" ({document.get('digest')})"
        )
        if tag is not None and created:
            latest = (app_document.get("dist_tags") or {}).get("latest")
            click.echo(f"Tagged it {tag}; latest is {latest or 'not set'}.")
        elif tag is not None:  # a retry moves no tag: the first attempt did, or someone since
            click.echo(
                f"The {tag} tag was not moved: `nestry dist-tag add "
                f"{plan.app.display}@{plan.version} {tag}` moves it."
            )
        if visibility == "private":  # new namespaces default to private: say so (issue 14)
            click.echo(
                f"{plan.app.display} is private to {plan.app.namespace}: "
                f"`nestry visibility {plan.app.display} public` makes it public."
            )

    state.output.result(result, show)


def _describe(plan: PublishPlan, *, dry_run: bool) -> dict[str, Any]:
    return {
        "application": plan.app.display,
        "version": plan.version,
        "dry_run": dry_run,
        "metadata": plan.metadata,
        "template_bytes": len(plan.template),
        "template_rewritten": plan.rewritten,
        "readme_bytes": len(plan.readme) if plan.readme is not None else None,
        "license_bytes": len(plan.license) if plan.license is not None else None,
        "bundle_bytes": len(plan.bundle) if plan.bundle is not None else None,
        "bundle_files": plan.bundle_files,
    }


def _show_plan(state: Context, plan: PublishPlan, checked: dict[str, Any]) -> None:
    out = state.output
    where = f"{plan.app.display}@{plan.version} to {checked['registry']}"
    if checked["would_create"]:
        out.line(f"Would publish {where} (dry run: the registry checked it, stored nothing)")
    else:
        out.line(f"Already published (identical): {where} (dry run: nothing stored)")
    rows = [(key, value) for key, value in plan.metadata.items() if value not in (None, [])]
    out.line(table(rows, ["metadata", "value"]))
    out.line()
    out.line(
        f"template: {human_size(len(plan.template))}"
        + (" (local paths rewritten to their in-bundle form)" if plan.rewritten else "")
    )
    for label, blob in (("readme", plan.readme), ("license", plan.license)):
        if blob is not None:
            out.line(f"{label}: {human_size(len(blob))}")
    if plan.bundle is None:
        out.line("bundle: none (no local code or child templates)")
        return
    out.line(f"bundle: {human_size(len(plan.bundle))} compressed, {len(plan.bundle_files)} files")
    out.line()
    out.line(
        table(
            [(name, human_size(size)) for name, size in plan.bundle_files.items()], ["file", "size"]
        )
    )


COMMANDS = [publish]
