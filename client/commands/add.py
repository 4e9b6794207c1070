"""``nestry add APP[@RANGE]``: add a reference to the user's template, editing it as text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from client.commands.common import parse_spec, resolve_version
from client.commands.context import Context, json_option, pass_context
from client.commands.failures import CliFailure
from client.commands.templates import default_template
from client.editing.add import PLACEHOLDER, NewReference, add_reference, default_logical_id


@click.command()
@click.argument("spec", metavar="APP[@RANGE]")
@click.option(
    "--as",
    "logical_id",
    metavar="LOGICAL_ID",
    help="Logical id (default: the app name in PascalCase).",
)
@click.option(
    "-t",
    "--template",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    callback=lambda _ctx, _param, value: default_template(value),
    help="Your template (default: template.yaml, template.yml or template.json).",
)
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


COMMANDS = [add]
