"""NestryError -> a one-line ``Error:`` and a ``hint:`` line, with a deliberate exit code.

Exit codes: 1 generic, 2 usage (bad names, versions, ranges, flags), 3 not found, 4 auth,
5 network (registry unreachable), 6 verification (a digest or bundle that does not check out),
7 rate-limited (the registry answered 429: retry later, the hint says when).
"""

from __future__ import annotations

import json
from typing import IO, Any

import click

from client.api.errors import RegistryError, RegistryUnreachableError
from client.errors import InvalidNameError, InvalidRangeError, InvalidVersionError, NestryError

GENERIC, USAGE, NOT_FOUND, AUTH, NETWORK, VERIFICATION, RATE_LIMITED = 1, 2, 3, 4, 5, 6, 7
_VERIFICATION_CODES = frozenset({"digest_mismatch", "invalid_bundle", "unsafe_bundle"})
_NOT_FOUND_CODES = frozenset(
    {"app_not_found", "version_not_found", "not_found", "no_matching_version"}
)


class CliFailure(click.ClickException):
    """What the user sees when a command fails: message, hint, exit code (and JSON on demand)."""

    def __init__(
        self, message: str, *, hint: str = "", code: str = "error", exit_code: int = 1
    ) -> None:
        super().__init__(message)
        self.hint = hint
        self.code = code
        self.exit_code = exit_code  # type: ignore[misc]  # click reads it per instance too
        self.as_json = False

    def show(self, file: IO[Any] | None = None) -> None:
        if self.as_json:
            error = {"code": self.code, "message": self.message, "hint": self.hint or None}
            click.echo(json.dumps({"error": error}, indent=2))
        click.echo(f"Error: {self.message}", err=True)
        if self.hint:
            click.echo(f"hint: {self.hint}", err=True)


def exit_code_for(error: NestryError) -> int:
    if isinstance(error, RegistryUnreachableError):
        return NETWORK
    if isinstance(error, RegistryError) and error.status == 429:
        return RATE_LIMITED  # before AUTH: too many failed authentications is a 429 too
    if isinstance(error, RegistryError) and error.status in (401, 403):
        return AUTH
    if error.code in _VERIFICATION_CODES:
        return VERIFICATION
    if error.code in _NOT_FOUND_CODES or (isinstance(error, RegistryError) and error.status == 404):
        return NOT_FOUND
    if error.code == "usage" or isinstance(
        error, InvalidNameError | InvalidVersionError | InvalidRangeError
    ):
        return USAGE
    return GENERIC


def failure_from(error: NestryError) -> CliFailure:
    message = " ".join(str(error).split("\n")[0].split()) or type(error).__name__
    return CliFailure(message, hint=error.hint, code=error.code, exit_code=exit_code_for(error))


def usage_failure(message: str, hint: str) -> CliFailure:
    return CliFailure(message, hint=hint, code="usage", exit_code=USAGE)
