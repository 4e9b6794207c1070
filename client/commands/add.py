"""``nestry add APP[@RANGE]`` and ``nestry remove APP``: add a reference to the user's template,
or drop it (and its nestry.lock entries), editing the template as text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from client.commands.common import parse_spec, resolve_version
from client.commands.context import Context, json_option, pass_context
from client.commands.failures import NOT_FOUND, CliFailure, usage_failure
from client.commands.templates import template_option
from client.editing.add import PLACEHOLDER, NewReference, add_reference, default_logical_id
from client.editing.remove import remove_resources
from client.install import lockfile
from client.install.cache import write_atomic
from client.template import parse_template


@click.command()
@click.argument("spec", metavar="APP[@RANGE]")
@click.option(
    "--as",
    "logical_id",
    metavar="LOGICAL_ID",
    help="Logical id (default: the app name in PascalCase).",
)
@template_option
@json_option
@pass_context
def add(state: Context, spec: str, logical_id: str | None, template: Path) -> None:
    """Add APP as an AWS::Serverless::Application (default range ^<latest>)."""
    app, wanted = parse_spec(spec)
    text = _read_text(template)
    client = state.client_for(app)
    with state.output.progress(f"Looking up {app}"):
        version = resolve_version(client, app, wanted)
        document = client.version_document(app, version)
    required = _required(document.get("parameters") or {})
    ref = NewReference(
        logical_id=logical_id or default_logical_id(app.name),
        application_id=str(app),
        version_spec=wanted or f"^{version}",
        parameters=dict.fromkeys(required, PLACEHOLDER),
    )
    edited = add_reference(text, ref, source=str(template))
    with template.open("w", encoding="utf-8", newline="") as out:
        out.write(edited)
    result = {
        "template": str(template),
        "logical_id": ref.logical_id,
        "application": str(app),
        "range": ref.version_spec,
        "version": version,
        "required_parameters": required,
    }
    state.output.result(result, lambda: _show(ref, version, required, template))


def _required(parameters: dict[str, Any]) -> list[str]:
    return [name for name, d in parameters.items() if not (isinstance(d, dict) and "Default" in d)]


def _read_text(template: Path) -> str:
    try:
        with template.open(encoding="utf-8", newline="") as src:
            return src.read()
    except FileNotFoundError:
        raise CliFailure(
            f"{template} does not exist", hint="Pass the template with -t PATH."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CliFailure(
            f"cannot read {template}: {exc}", hint="The template must be a UTF-8 text file."
        ) from None


def _show(ref: NewReference, version: str, required: list[str], template: Path) -> None:
    click.echo(
        f"Added {ref.logical_id} ({ref.application_id} {ref.version_spec}, now {version})"
        f" to {template}."
    )
    if required:
        click.echo(f"Fill in its required parameters: {', '.join(required)}.")
    click.echo(f"Then run: nestry install -t {template}")


@click.command()
@click.argument("app_text", metavar="APP")
@template_option
@json_option
@pass_context
def remove(state: Context, app_text: str, template: Path) -> None:
    """Remove every AWS::Serverless::Application nesting APP, and its nestry.lock entries."""
    app, spec = parse_spec(app_text)
    if spec is not None:
        raise usage_failure(
            f"{app_text!r}: remove takes APP without a range",
            f"Run: nestry remove {app.display}",
        )
    text = _read_text(template)
    root = parse_template(text.encode("utf-8"), source=str(template))
    logical_ids = [
        ref.logical_id
        for ref in root.references
        if ref.application_id is not None and ref.application_id.canonical == app.canonical
    ]
    if not logical_ids:
        nested = [str(r.application_id) for r in root.references if r.application_id]
        raise CliFailure(
            f"{app.display} is not referenced by {template}",
            hint=f"It references: {', '.join(nested)}." if nested else "It references no app.",
            code="not_found",
            exit_code=NOT_FOUND,
        )
    edited = remove_resources(text, logical_ids, source=str(template))
    lock_path = template.parent / lockfile.LOCKFILE_NAME
    old_lock = lockfile.read(lock_path)  # a broken lockfile fails here, before any write
    dropped = sorted(
        path
        for path in old_lock.references
        if any(path == i or path.startswith(f"{i}/") for i in logical_ids)
    )
    mode = template.stat().st_mode & 0o7777
    write_atomic(template, edited.encode("utf-8"))
    template.chmod(mode)
    if dropped:
        kept = {p: e for p, e in old_lock.references.items() if p not in dropped}
        lockfile.write_if_changed(lock_path, lockfile.Lockfile(kept))
    result = {
        "template": str(template),
        "application": app.display,
        "removed": logical_ids,
        "lock_entries_removed": dropped,
    }

    def show() -> None:
        click.echo(f"Removed {', '.join(logical_ids)} ({app.display}) from {template}.")
        if dropped:
            click.echo(f"Dropped {len(dropped)} nestry.lock entries.")
        click.echo(f"Then run: nestry install -t {template}")

    state.output.result(result, show)


COMMANDS = [add, remove]
