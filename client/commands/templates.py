"""Which template a command works on when ``-t``/``TEMPLATE`` is not given.

SAM CLI looks for ``template.yaml``, ``template.yml`` and ``template.json``, in that order
(issue 14: seven corpus repositories use ``.yml``); nestry does the same.
"""

from __future__ import annotations

from pathlib import Path

import click

DEFAULT_NAMES = ("template.yaml", "template.yml", "template.json")


def default_template(given: Path | None, directory: Path = Path()) -> Path:
    """``given``, else the first of ``DEFAULT_NAMES`` in ``directory`` that exists, else
    ``template.yaml`` (whose absence the command then reports)."""
    if given is not None:
        return given
    for name in DEFAULT_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return directory / DEFAULT_NAMES[0]


# ``-t/--template`` of every command that works on the user's template (add, remove, install,
# update, outdated, tree).
template_option = click.option(
    "-t",
    "--template",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    callback=lambda _ctx, _param, value: default_template(value),
    help="Your template (default: template.yaml, template.yml or template.json).",
)
