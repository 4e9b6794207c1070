"""What the resolver reads and writes: requests, offered versions, resolved and failed nodes.

Terminology: a *request* names an application and a range (or dist-tag), and for a nested
reference the *logical id* it has in its parent template; the *candidates* of a request are the
versions a driver offers for it (an ``AppVersions``) or a ``Failure`` saying why there are none;
a *node* is one request resolved (``Resolved``) or not (``Failed``); its *trail* is the logical
ids from the top of the tree down to it, and its *chain* the (source, application, version)
keys from the top down to it, which is what a cycle repeats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from client.names import AppId

# One set of limits for every resolver: the registry's ``POST /v1/resolve``, ``nestry install``
# and ``--flatten`` (which cannot nest deeper than the tree it is given).
MAX_DEPTH = 32  # applications from the top of the tree down, the top one included
MAX_NODES = 2000  # nodes in the whole tree, failed ones included
MAX_FAN_OUT = 200  # references of one template, or requests of one call


@dataclass(frozen=True)
class Limits:
    max_depth: int = MAX_DEPTH
    max_nodes: int = MAX_NODES
    max_fan_out: int = MAX_FAN_OUT


LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Request:
    application: str  # as written: ``ns/name`` or ``host/ns/name``
    range: str  # an npm range or a dist-tag
    logical_id: str | None = None  # its resource name in the parent template (None: a root)


@dataclass(frozen=True)
class VersionInfo:
    version: str
    digest: str
    yanked: bool = False
    bundle_digest: str | None = None
    template_path: str | None = None  # the template's place in its bundle (None: the root)


@dataclass(frozen=True, eq=False)
class AppVersions:
    """The versions of one application a driver offers, and its dist-tags.

    A driver may offer only part of an application's versions as long as, for every request it
    answers with this object, the version the whole list would give is among them: the highest
    satisfying version of a set is also the highest of any subset holding it.
    ``source`` says where the versions came from (a client: the registry's URL); a nested id
    without a host is looked up at its parent's source.
    """

    application: str  # display form, e.g. "Acme/Thing"
    versions: tuple[VersionInfo, ...]
    dist_tags: Mapping[str, str] = field(default_factory=dict)
    source: str | None = None
    by_version: Mapping[str, VersionInfo] = field(init=False, repr=False)
    candidates: tuple[str, ...] = field(init=False, repr=False)  # the versions a range may pick

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_version", {v.version: v for v in self.versions})
        usable = tuple(v.version for v in self.versions if not v.yanked)
        object.__setattr__(self, "candidates", usable)


@dataclass(frozen=True)
class Failure:
    """Why a request has no version: ``code`` is one of ``FAILURE_CODES``."""

    code: str
    message: str


# The failure codes of POST /v1/resolve (docs/ARCHITECTURE.md, "HTTP shapes").
FAILURE_CODES = frozenset(
    {
        "app_not_found",
        "no_matching_version",
        "invalid_range",
        "invalid_name",
        "cycle",
        "foreign_registry",
    }
)

Candidates = AppVersions | Failure
ChainKey = tuple[str | None, str, str]  # (source, canonical application, version)


@dataclass(slots=True)  # made for every request of every resolve: not frozen, which is slower
class Open:
    """A request waiting for its candidates; ``app`` is its parsed (valid) id."""

    request: Request
    app: AppId
    canonical: str  # ``app.canonical``, computed once
    trail: tuple[str, ...]
    parent: Resolved | None

    @property
    def source(self) -> str | None:
        """Where the parent was found (None: a root, or a parent from the default source)."""
        return self.parent.source if self.parent is not None else None


@dataclass(eq=False)
class Resolved:
    request: Request
    trail: tuple[str, ...]
    canonical: str
    display: str  # the application id as its publisher wrote it
    found: VersionInfo
    source: str | None = None
    chain: tuple[ChainKey, ...] = ()
    dependencies: list[Node] = field(default_factory=list)

    @property
    def application(self) -> str:
        return self.request.application

    @property
    def range(self) -> str:
        return self.request.range

    @property
    def path(self) -> str | None:
        """The logical id in the parent template (None: a root request)."""
        return self.request.logical_id


@dataclass(frozen=True, eq=False)
class Failed:
    request: Request
    trail: tuple[str, ...]
    code: str
    message: str

    @property
    def application(self) -> str:
        return self.request.application

    @property
    def range(self) -> str:
        return self.request.range

    @property
    def path(self) -> str | None:
        return self.request.logical_id


Node = Resolved | Failed


@dataclass(frozen=True)
class NeedVersions:
    """Answer with one ``Candidates`` per request, in order."""

    requests: tuple[Open, ...]


@dataclass(frozen=True)
class NeedTemplates:
    """Answer with ``{digest: the registry references that template nests, as Requests}``.

    ``nodes`` holds one node per digest wanted; a digest left out of the answer nests nothing.
    """

    nodes: tuple[Resolved, ...]


Need = NeedVersions | NeedTemplates
