"""``nestry delete APP [--yes]``: delete an app with all its versions (namespace owners).

The registry refuses (``app_has_dependents``) while versions of other apps nest APP.
"""

from __future__ import annotations

import click

from client.commands.context import Context, json_option, pass_context
from client.commands.failures import usage_failure
from client.names import parse_app_id


def _confirmed(display: str) -> bool:
    """Ask on the terminal; no answer (end of input) is a no."""
    question = f"Delete {display} and every version of it? This cannot be undone"
    try:
        return click.confirm(question, default=False, err=True)
    except click.Abort:
        return False


@click.command()
@click.argument("app_text", metavar="APP")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
@pass_context
def delete(state: Context, app_text: str, yes: bool) -> None:
    """Delete APP and all its versions (owners; refused while other apps nest it)."""
    app = parse_app_id(app_text)
    if not yes and not _confirmed(app.display):
        raise usage_failure(
            f"{app.display} was not deleted", "Pass --yes to delete without asking."
        )
    answer = state.client_for(app).delete_app(app)
    count = len(answer.get("versions") or [])
    state.output.result(
        answer, lambda: click.echo(f"Deleted {answer.get('deleted')} ({count} version(s)).")
    )


COMMANDS = [delete]
