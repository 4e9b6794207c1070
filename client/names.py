"""Application ids and versions: the names the registry and the client agree on.

An application is ``namespace/name``; an id whose first segment holds a ``.`` or ``:`` names
the registry host in front (Terraform's convention): ``registry.example.com/acme/app``.
Versions are strict SemVer 2.0.0, with npm's limits (256 characters, numbers that fit a
JavaScript safe integer) so that every version we accept means the same to npm's semver.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import semver

from client.errors import InvalidNameError, InvalidVersionError

# ASCII only, whatever the case: the canonical spelling is the lowercase one (``canonical_app``).
NAMESPACE_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?")
APP_NAME_RE = re.compile(r"[A-Za-z0-9-]{1,140}")  # SAR's application name pattern
# A host, optionally with a port: `registry.example.com`, `localhost:8000`, `[::1]:8000`.
REGISTRY_HOST_RE = re.compile(
    r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?"
)
# SAR application ARNs in any partition: aws, aws-cn, aws-us-gov, and the ones a nestry
# registry mints in its own partition (``arn:nestry:``, registry/sar).
SAR_ARN_RE = re.compile(r"arn:(?:aws(?:-[a-z]+)*|nestry):serverlessrepo:")

MAX_VERSION_LENGTH = 256  # npm's semver MAX_LENGTH
MAX_SAFE_INTEGER = 2**53 - 1  # npm refuses larger version numbers
MAX_APP_ID_LENGTH = 512


@dataclass(frozen=True)
class AppId:
    """``namespace/name`` as written, optionally served by an explicit registry host."""

    namespace: str
    name: str
    registry: str | None = None

    def __post_init__(self) -> None:
        validate_namespace(self.namespace)
        validate_app_name(self.name)
        if self.registry is not None:
            _validate_registry(self.registry)

    @property
    def canonical(self) -> str:
        """The lowercase ``ns/name`` used for uniqueness and lookup."""
        return "/".join(canonical_app(self.namespace, self.name))

    @property
    def display(self) -> str:
        """``ns/name`` with the case the publisher chose."""
        return f"{self.namespace}/{self.name}"

    def __str__(self) -> str:
        return f"{self.registry}/{self.display}" if self.registry else self.display


@functools.lru_cache(maxsize=4096)
def canonical_app(namespace: str, name: str) -> tuple[str, str]:
    """The one canonical spelling of ``namespace/name``: both validated, then ASCII-lowercased.

    Every lookup (registry routes, the CLI, the registry's caches) goes through this, so that
    all spellings of one app that differ only in ASCII case mean the same app, and nothing else
    does: a name outside the pattern (non-ASCII such as the Kelvin sign, whose ``lower()`` is an
    ASCII ``k``) raises ``InvalidNameError`` before any folding.

    Remembered: the registry asks it for every request (its hot read path included), mostly
    about the same few apps. Only valid names are remembered (an error is raised, not kept),
    and they are short, so the memo stays small whatever callers send.
    """
    return canonical_namespace(namespace), validate_app_name(name).lower()


def canonical_namespace(text: str) -> str:
    """A valid namespace in its canonical (lowercase) spelling; ``InvalidNameError`` otherwise."""
    return validate_namespace(text).lower()


def validate_namespace(text: str) -> str:
    """Return ``text`` if it is a valid namespace (any ASCII case), else raise
    ``InvalidNameError``."""
    if not isinstance(text, str) or not NAMESPACE_RE.fullmatch(text):
        raise InvalidNameError(
            f"invalid namespace {text!r}: use 1-39 of a-z, 0-9 and '-', "
            "not starting or ending with '-'"
        )
    return text


def validate_app_name(text: str) -> str:
    """Return ``text`` if it is a valid application name, else raise ``InvalidNameError``."""
    if not isinstance(text, str) or not APP_NAME_RE.fullmatch(text):
        raise InvalidNameError(
            f"invalid application name {text!r}: use 1-140 of A-Z, a-z, 0-9 and '-'"
        )
    return text


def _validate_registry(text: str) -> str:
    if not isinstance(text, str) or not REGISTRY_HOST_RE.fullmatch(text):
        raise InvalidNameError(f"invalid registry host {text!r} in application id")
    return text


def parse_app_id(text: str) -> AppId:
    """Parse ``[registry-host/]namespace/name``; raise ``InvalidNameError`` naming the bad part."""
    if not isinstance(text, str):
        raise InvalidNameError(f"application id must be a string, not {type(text).__name__}")
    if is_sar_arn(text):
        raise InvalidNameError(
            f"{text!r} is an AWS Serverless Application Repository ARN, not a registry id"
        )
    if len(text) > MAX_APP_ID_LENGTH:
        raise InvalidNameError(f"application id is longer than {MAX_APP_ID_LENGTH} characters")
    parts = text.split("/")
    registry = None
    if len(parts) == 3 and ("." in parts[0] or ":" in parts[0]):
        registry = _validate_registry(parts[0])
        parts = parts[1:]
    if len(parts) != 2:
        raise InvalidNameError(
            f"invalid application id {text!r}: expected namespace/name or "
            "registry-host/namespace/name (a registry host holds a '.' or ':')"
        )
    return AppId(parts[0], parts[1], registry)


def is_sar_arn(text: str) -> bool:
    """True for SAR application ARNs: left to SAM, unless a registry serves them (an alias, or
    its own ``arn:nestry:``), which ``nestry install`` asks."""
    return isinstance(text, str) and SAR_ARN_RE.match(text) is not None


def parse_version(text: str) -> semver.Version:
    """Parse a strict SemVer 2.0.0 version (no ``v``, no ``=``, no spaces, all three parts)."""
    if not isinstance(text, str):
        raise InvalidVersionError(f"version must be a string, not {type(text).__name__}")
    if len(text) > MAX_VERSION_LENGTH:
        raise InvalidVersionError(f"version is longer than {MAX_VERSION_LENGTH} characters")
    # semver's regex is strict already; the ASCII check keeps Unicode digits out for sure.
    if not text.isascii():
        raise InvalidVersionError(f"invalid version {text!r}: only ASCII characters are allowed")
    try:
        version = semver.Version.parse(text)
    except ValueError:
        raise InvalidVersionError(
            f"invalid version {text!r}: not a strict SemVer 2.0.0 version such as 1.2.3"
        ) from None
    if _too_big(version):
        raise InvalidVersionError(
            f"invalid version {text!r}: numbers above {MAX_SAFE_INTEGER} are not supported"
        )
    return version


def _too_big(version: semver.Version) -> bool:
    """npm cannot represent these numbers; refusing them keeps our ordering equal to npm's."""
    numbers = [version.major, version.minor, version.patch]
    prerelease = [int(part) for part in (version.prerelease or "").split(".") if part.isdigit()]
    # npm compares prerelease numbers from MAX_SAFE_INTEGER up as text, not as numbers.
    return any(n > MAX_SAFE_INTEGER for n in numbers) or any(
        n >= MAX_SAFE_INTEGER for n in prerelease
    )
