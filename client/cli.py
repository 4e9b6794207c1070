"""``nestry``: the command-line client (click). Commands live in ``client.commands``,
listed in ``client.commands.lazy``."""

from __future__ import annotations

from typing import Any

import click

from client.commands.context import Context
from client.commands.failures import CliFailure, failure_from
from client.commands.lazy import LazyGroup
from client.errors import NestryError

_OS_HINT = "Check the path and its permissions."


class NestryGroup(LazyGroup):
    """Turns every ``NestryError`` into a one-line message and hint: never a traceback.

    Commands are imported only when they run (``client.commands.lazy``): a warm install must
    not pay for httpx and every other command's imports."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NestryError as error:
            raise _with_mode(ctx, failure_from(error)) from None
        except CliFailure as failure:
            raise _with_mode(ctx, failure) from None
        except OSError as error:  # a file we were pointed at: unreadable, unwritable, a folder
            where = f": {error.filename}" if error.filename else ""
            message = f"{error.strerror or error}{where}"
            raise _with_mode(ctx, CliFailure(message, hint=_OS_HINT)) from None


def _with_mode(ctx: click.Context, failure: CliFailure) -> CliFailure:
    state = ctx.find_object(Context)
    failure.as_json = bool(state and state.output.as_json)
    return failure


@click.group(cls=NestryGroup)
@click.option("--registry", metavar="URL", help="Registry URL (overrides NESTRY_REGISTRY).")
@click.option("--token", metavar="TOKEN", help="API token (overrides NESTRY_TOKEN).")
@click.version_option(package_name="nestry", prog_name="nestry")
@click.pass_context
def cli(ctx: click.Context, registry: str | None, token: str | None) -> None:
    """nestry: reusable serverless applications from your own registry."""
    state = ctx.ensure_object(Context)
    state.registry_flag = registry or state.registry_flag
    state.token_flag = token or state.token_flag
    ctx.call_on_close(state.close)


def main() -> None:
    """The ``nestry`` console script."""
    cli(prog_name="nestry")


if __name__ == "__main__":
    main()
