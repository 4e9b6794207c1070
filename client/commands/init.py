"""``nestry init [DIR]``: a new application that ``nestry publish`` takes as it is.

It writes ``template.yaml`` (the SAM transform, its ``AWS::ServerlessRepo::Application``
metadata, one function whose code is ``src/``), the function's handler and a ``README.md``.
An existing handler or readme is kept; an existing template is never overwritten.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import click

from client.commands.context import Context, json_option, pass_context
from client.commands.failures import CliFailure, usage_failure
from client.commands.templates import DEFAULT_NAMES
from client.install.cache import write_atomic
from client.names import validate_app_name

DEFAULT_RUNTIME = "python3.12"
VERSION = "0.1.0"


@dataclass(frozen=True)
class Handler:
    """The function's code for one runtime family: its file under ``src/`` and its text."""

    file: str
    handler: str
    label: str
    code: str


_HANDLERS: dict[str, Handler] = {
    r"python3\.\d+": Handler(
        "app.py",
        "app.handler",
        "python",
        '"""AWS Lambda calls handler(event, context) for each event."""\n\n'
        "import json\n\n\n"
        "def handler(event, context):\n"
        '    return {"statusCode": 200, "body": json.dumps({"message": "hello from {name}"})}\n',
    ),
    r"nodejs\d+\.x": Handler(
        "app.mjs",
        "app.handler",
        "nodejs",
        "// AWS Lambda calls handler(event) for each event.\n"
        "export const handler = async (event) => ({\n"
        "  statusCode: 200,\n"
        '  body: JSON.stringify({ message: "hello from {name}" }),\n'
        "});\n",
    ),
    r"ruby\d+\.\d+": Handler(
        "app.rb",
        "app.handler",
        "ruby",
        "# AWS Lambda calls handler(event:, context:) for each event.\n"
        "require 'json'\n\n"
        "def handler(event:, context:)\n"
        "  { statusCode: 200, body: JSON.generate(message: 'hello from {name}') }\n"
        "end\n",
    ),
}


def handler_for(runtime: str) -> Handler:
    """The handler of ``runtime``'s family; a usage failure for a runtime without one."""
    for pattern, handler in _HANDLERS.items():
        if re.fullmatch(pattern, runtime):
            return handler
    raise usage_failure(
        f"no starter code for runtime {runtime!r}",
        "Use a pythonX.Y, nodejsNN.x or rubyX.Y runtime (default python3.12), "
        "then change Runtime and the code in src/ as you need.",
    )


def name_from_folder(folder: str) -> str:
    """``My App_2`` -> ``my-app-2``: the folder's name as an application name (1-140 of
    a-z, 0-9 and '-'); ``my-app`` when nothing of it is usable."""
    name = re.sub(r"[^a-z0-9]+", "-", folder.lower()).strip("-")[:140].strip("-")
    return name or "my-app"


def _yaml_text(value: str) -> str:
    """A double-quoted YAML scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def template_text(name: str, description: str, author: str, runtime: str, handler: Handler) -> str:
    return f"""\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: {_yaml_text(description)}

Metadata:
  AWS::ServerlessRepo::Application:  # what `nestry publish` publishes (as `sam publish` does)
    Name: {name}
    Description: {_yaml_text(description)}
    Author: {_yaml_text(author)}
    SemanticVersion: {VERSION}  # raise it for each new version
    Labels:
      - {handler.label}
    ReadmeUrl: README.md

Resources:
  Function:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: {handler.handler}
      Runtime: {runtime}
      MemorySize: 128
      Timeout: 10

Outputs:
  FunctionArn:
    Description: The function's ARN
    Value: !GetAtt Function.Arn
"""


def readme_text(name: str, description: str) -> str:
    return f"""\
# {name}

{description}

## Use it

Nest it in your own SAM template, then vendor it:

    nestry add NAMESPACE/{name}
    nestry install

## Publish it

Raise `SemanticVersion` in `template.yaml`, then:

    nestry publish --namespace NAMESPACE
"""


@click.command()
@click.argument(
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    required=False,
    metavar="[DIR]",
)
@click.option("--name", help="Application name (default: DIR's name, made valid).")
@click.option("--author", help="Author (default: `namespace` in the config, else your user).")
@click.option("--description", help="One line about the application.")
@click.option(
    "--runtime",
    default=DEFAULT_RUNTIME,
    show_default=True,
    help="Lambda runtime of the function (pythonX.Y, nodejsNN.x or rubyX.Y).",
)
@json_option
@pass_context
def init(
    state: Context,
    directory: Path,
    name: str | None,
    author: str | None,
    description: str | None,
    runtime: str,
) -> None:
    """Start a new application in DIR (default: here): template.yaml, src/ and README.md."""
    existing = [directory / n for n in DEFAULT_NAMES if (directory / n).exists()]
    if existing:
        raise CliFailure(
            f"{existing[0]} already exists",
            hint="nestry init starts a new application: pick an empty DIR, "
            "or publish the existing template with nestry publish.",
            code="template_exists",
        )
    handler = handler_for(runtime)
    app_name = validate_app_name(name) if name else _default_name(directory)
    author = author or _default_author(state)
    description = description or f"{app_name}: a serverless application."
    files = {
        f"src/{handler.file}": handler.code.replace("{name}", app_name),
        "README.md": readme_text(app_name, description),
        "template.yaml": template_text(app_name, description, author, runtime, handler),
    }
    created, kept = [], []
    for relative, text in files.items():  # the template last: it names the others
        path = directory / relative
        if path.exists() and relative != "template.yaml":
            kept.append(relative)
            continue
        write_atomic(path, text.encode("utf-8"))
        path.chmod(0o644)  # meant to be committed, unlike the 0600 temporary file
        created.append(relative)
    result = {
        "directory": str(directory),
        "name": app_name,
        "author": author,
        "runtime": runtime,
        "created": created,
        "kept": kept,
    }

    def show() -> None:
        click.echo(f"Created {app_name} in {directory}: {', '.join(created)}.")
        if kept:
            click.echo(f"Kept the existing {', '.join(kept)}.")
        where = "" if directory == Path() else f" {shlex.quote(str(directory / 'template.yaml'))}"
        namespace = "" if state.config().namespace else " --namespace NAMESPACE"
        click.echo(f"Next: nestry publish{where}{namespace}")

    state.output.result(result, show)


def _default_name(directory: Path) -> str:
    return name_from_folder(directory.resolve().name)


def _default_author(state: Context) -> str:
    return state.config().namespace or state.env.get("USER") or state.env.get("USERNAME") or "me"


COMMANDS = [init]
