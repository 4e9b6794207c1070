"""One resolver for every side (pure, no I/O): requests in, a tree of exact versions out.

The h11/resolvelib pattern: ``resolve(requests)`` is a generator that yields what it needs
(``NeedVersions``, ``NeedTemplates``) and is sent the answers, so each side drives it from
what it has: the registry from its database (``registry.resolve``), ``nestry install`` from
the lockfile, the cache and registries (``client.install.resolver``), tests from a dict. One
set of limits (``LIMITS``), one selection rule (``pick``), one cycle failure.
"""

from client.resolution.machine import (
    AsyncSource,
    Resolution,
    ResolveLimitError,
    Source,
    drive,
    drive_async,
    resolve,
)
from client.resolution.model import (
    FAILURE_CODES,
    LIMITS,
    AppVersions,
    Candidates,
    Failed,
    Failure,
    Limits,
    NeedTemplates,
    NeedVersions,
    Node,
    Open,
    Request,
    Resolved,
    VersionInfo,
)
from client.resolution.pick import pick

__all__ = [
    "FAILURE_CODES",
    "LIMITS",
    "AppVersions",
    "AsyncSource",
    "Candidates",
    "Failed",
    "Failure",
    "Limits",
    "NeedTemplates",
    "NeedVersions",
    "Node",
    "Open",
    "Request",
    "Resolution",
    "ResolveLimitError",
    "Resolved",
    "Source",
    "VersionInfo",
    "drive",
    "drive_async",
    "pick",
    "resolve",
]
