"""The registry client's errors, and reading them out of HTTP responses.

RegistryError               the registry refused a request (``status``, server ``code``)
└── RegistryUnreachableError  no answer at all (``status`` 0): refused, DNS, timeout, TLS
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from client.errors import NestryError

if TYPE_CHECKING:
    import httpx

_HINTS = {
    401: "Log in again with `nestry login --registry URL` (or check NESTRY_TOKEN).",
    403: "Your token may not do this: ask an owner of the namespace for a token with that scope "
    "(they run `nestry token create --for YOUR_USER --namespace NS --scope SCOPE`).",
    404: "Check the name and version (`nestry search TERM`, `nestry versions APP`).",
    409: "It conflicts with the registry's current state; see the message.",
    413: "The upload is over the registry's size limit.",
    422: "Fix what the message names and try again.",
    429: "The registry is rate-limiting this address; wait, then retry.",
}
# A hint for what the error is, where its status alone would mislead (issue 14).
_CODE_HINTS = {
    "version_exists": "Published versions are immutable: publish a new version instead.",
    "app_has_dependents": "Other applications nest it (`nestry info APP` lists its dependents): "
    "they must drop the reference first; or yank its versions instead of deleting it.",
    "user_not_found": "The user must exist on the registry first: its administrator creates "
    "it with `nestry-registry user create NAME`.",
    "not_a_member": "Add them first: `nestry namespace add-member NS USER --role ROLE` "
    "(`nestry namespace members NS` lists the members).",
    "role_too_weak": "A token never raises a role: give the member that role first "
    "(`nestry namespace add-member NS USER --role ROLE`), or ask for a weaker --scope.",
}


class RegistryError(NestryError):
    """The registry refused a request (``status``) or could not be reached (``status`` 0)."""

    code = "registry_error"
    hint = "The registry failed; retry later or check its logs."

    def __init__(
        self, message: str, *, status: int, code: str | None = None, retry_after: str | None = None
    ) -> None:
        hint = _CODE_HINTS.get(code or "") or _HINTS.get(status)
        if status == 429:
            message = f"rate-limited by the registry: {message}"
            if retry_after and retry_after.isdigit():
                hint = f"The registry is rate-limiting this address; retry in {retry_after} s."
        super().__init__(message, hint=hint)
        self.status = status
        if code:
            self.code = code


class RegistryUnreachableError(RegistryError):
    code = "registry_unreachable"
    hint = "Check the registry URL (nestry whoami shows it) and that the registry is running."

    def __init__(self, message: str) -> None:
        super().__init__(message, status=0)


class Guarded:
    """Context manager over a streamed response that turns transport errors into ours."""

    def __init__(self, response: httpx.Response, url: str) -> None:
        self.response, self.url = response, url

    def __enter__(self) -> httpx.Response:
        return self.response

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        import httpx  # loaded by now: we hold one of its responses

        self.response.close()
        if isinstance(exc, httpx.TransportError):
            raise RegistryUnreachableError(f"connection to {self.url} failed: {reason_of(exc)}")


def reason_of(exc: httpx.TransportError) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0]


def error_of(response: httpx.Response) -> tuple[str | None, str]:
    """The server's ``{"error": {"code", "message"}}``, or the status line for anything else."""
    try:
        error = response.json().get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            code = error.get("code")
            return (code if isinstance(code, str) else None), error["message"]
    except (ValueError, AttributeError):
        pass
    return None, f"the registry answered {response.status_code} {response.reason_phrase}"


def decode(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise RegistryError(
            "the registry answered with something that is not JSON", status=502
        ) from None
    if not isinstance(body, dict):
        raise RegistryError("the registry answered with JSON that is not an object", status=502)
    return body
