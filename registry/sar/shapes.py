"""The SAR API's names and error shapes, as nestry maps them (pure, no I/O).

- Ids: an ``ApplicationId`` is a SAR ARN (``arn:<partition>:serverlessrepo:<region>:<account>:
  applications/<name>``) or a plain ``namespace/name``. ARNs this registry mints are in its own
  partition, ``nestry``, so that one escaping to real CloudFormation never resolves against AWS;
  the account is the namespace's **account number**: its id, as 12 digits, stable for as long
  as the namespace exists. ARNs in other partitions are SAR's own, served through aliases.
- Errors: HTTP status, body ``{"errorCode", "message"}`` and header ``x-amzn-ErrorType``
  (botocore reads the code from the header; without it the code is the bare status).
- Pages: ``nextToken`` is an opaque base64 of the last position shown.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from client.errors import NestryError
from client.names import parse_app_id
from registry.errors import ApiError

PARTITION = "nestry"
DEFAULT_REGION = "us-east-1"
MAX_ITEMS = 100  # the model's bound on maxItems
_ACCOUNT_DIGITS = 12
_MAX_ID = 2**31 - 1  # namespaces.id is an INTEGER
ARN_RE = re.compile(
    r"arn:(?P<partition>[a-z][a-z0-9-]{0,31}):serverlessrepo:(?P<region>[a-z0-9-]{0,32}):"
    r"(?P<account>[0-9]{12}):applications/(?P<name>[A-Za-z0-9-]{1,140})"
)
_ARN_HEAD = "arn:{}:serverlessrepo:{}:{}:applications/"
_CREDENTIAL_RE = re.compile(r"Credential=([^/,\s]{1,128})/[0-9]{8}/([a-z0-9-]{1,32})/")
ERROR_CODES = {
    400: "BadRequestException",
    403: "ForbiddenException",
    404: "NotFoundException",
    409: "ConflictException",
    429: "TooManyRequestsException",
    500: "InternalServerErrorException",
}


class SarError(Exception):
    """A refusal in the SAR API's own terms (``status`` is one of ``ERROR_CODES``)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> SarError:
    return SarError(400, message)


def not_found(message: str) -> SarError:
    return SarError(404, message)


def from_api_error(exc: ApiError) -> SarError:
    """The registry's refusal in SAR's vocabulary: 401/403 → 403, 404, 409, 429, else 400."""
    if exc.status in (401, 403):
        status = 403
    elif exc.status in (404, 409, 429):
        status = exc.status
    else:
        status = 500 if exc.status >= 500 else 400
    return SarError(status, exc.message, exc.headers)


def from_nestry_error(exc: NestryError) -> SarError:
    """A template, name, version or range problem: 400 with the message and its hint."""
    return bad_request(f"{exc.message} ({exc.hint})" if exc.hint else exc.message)


def error_document(error: SarError) -> tuple[int, dict[str, str], dict[str, str]]:
    """``(status, body, headers)`` of the error answer."""
    code = ERROR_CODES.get(error.status, "InternalServerErrorException")
    headers = {**error.headers, "x-amzn-ErrorType": code}
    return error.status, {"errorCode": code, "message": error.message}, headers


def account_of(namespace_id: int) -> str:
    return f"{namespace_id:0{_ACCOUNT_DIGITS}d}"


def namespace_id_of(account: str) -> int | None:
    """The namespace id an account number stands for; None past the ids' range (int32)."""
    number = int(account)
    return number if 0 < number <= _MAX_ID else None


def arn_of(region: str, namespace_id: int, name: str) -> str:
    return f"{_ARN_HEAD.format(PARTITION, region, account_of(namespace_id))}{name}"


@dataclass(frozen=True)
class ArnId:
    """An ARN ``ApplicationId``: ours (``partition == PARTITION``) or SAR's (via an alias)."""

    partition: str
    region: str
    account: str
    name: str

    def __str__(self) -> str:
        return f"{_ARN_HEAD.format(self.partition, self.region, self.account)}{self.name}"


@dataclass(frozen=True)
class PlainId:
    """A ``namespace/name`` ``ApplicationId``."""

    namespace: str
    name: str


AppRef = ArnId | PlainId


def parse_arn(text: str) -> ArnId | None:
    """``text`` as a serverlessrepo application ARN, or None when it is not one."""
    match = ARN_RE.fullmatch(text)
    if match is None:
        return None
    return ArnId(match["partition"], match["region"], match["account"], match["name"])


def parse_application_id(text: str) -> AppRef:
    """An ``ApplicationId`` as sent; 400 when it is neither an ARN nor ``namespace/name``."""
    arn = parse_arn(text)
    if arn is not None:
        return arn
    try:
        app_id = parse_app_id(text)
    except NestryError:
        app_id = None
    if app_id is None or app_id.registry is not None:
        raise bad_request(
            f"invalid ApplicationId {text[:200]!r}: use an application ARN "
            "(arn:<partition>:serverlessrepo:<region>:<account>:applications/<name>) "
            "or namespace/name"
        )
    return PlainId(app_id.namespace, app_id.name)


@dataclass(frozen=True)
class Caller:
    """What the SigV4 ``Authorization`` header says: the access key id and the region."""

    access_key: str | None
    region: str


def caller_of(authorization: str | None) -> Caller:
    """The ``Credential=<key>/<date>/<region>/...`` of a SigV4 header (not verified: the
    session token is the credential); the default region without one."""
    match = _CREDENTIAL_RE.search(authorization or "")
    if match is None:
        return Caller(None, DEFAULT_REGION)
    return Caller(match[1], match[2])


def path_segments(raw_path: bytes, prefix: str) -> list[str]:
    """The segments after ``prefix``, each percent-decoded on its own (so ``%2F`` inside an id
    stays inside it). 400 for a path that is not UTF-8."""
    try:
        text = raw_path.split(b"?", 1)[0].decode("ascii")
    except UnicodeDecodeError:
        raise bad_request("the path must be percent-encoded ASCII") from None
    rest = text[len(prefix) :].strip("/")
    try:
        return [unquote(part, errors="strict") for part in rest.split("/")] if rest else []
    except UnicodeDecodeError:
        raise bad_request("the path is not UTF-8 once decoded") from None


def max_items(raw: str | None) -> int:
    """``maxItems``: 1-100, default 100."""
    if raw is None:
        return MAX_ITEMS
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ITEMS:
        raise bad_request(f"maxItems must be a whole number from 1 to {MAX_ITEMS}")
    return int(raw)


def encode_token(position: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode()


def decode_token(token: str | None, length: int) -> list[Any] | None:
    """The position a ``nextToken`` carries (a list of ``length`` strings/ints); 400 if bad."""
    if token is None:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(token[:2048].encode()))
    except (ValueError, binascii.Error):
        value = None
    if (
        not isinstance(value, list)
        or len(value) != length
        or not all(isinstance(v, str) or (isinstance(v, int) and 0 <= v <= _MAX_ID) for v in value)
    ):
        raise bad_request("nextToken is not one this registry gave")
    return value
