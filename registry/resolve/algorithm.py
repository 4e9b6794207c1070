"""Resolve (application, range) requests into a tree of exact versions; pure, no I/O.

Terminology: a *request* names an application and a range; the *provider* answers which
versions an application has (only applications the caller may see); a *node* is one resolved
(or failed) request; its *dependencies* are the registry references stored for the version it
resolved to, each becoming a child node whose *path* is the logical id in the parent template.

The tree is walked one level at a time so the provider is asked once per level for every
application that level needs, never once per node.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from client.errors import InvalidNameError, InvalidRangeError, NestryError
from client.names import parse_app_id
from client.ranges import is_dist_tag, max_satisfying


class ResolveLimitError(NestryError):
    code = "resolve_too_large"
    hint = "Send fewer requests per call, or split the tree into several calls."


class NoMatchingVersionError(NestryError):
    code = "no_matching_version"
    hint = "List the versions with GET /v1/apps/{ns}/{name} and widen the range."


class ForeignRegistryError(NestryError):
    code = "foreign_registry"
    hint = "Resolve references to another registry against that registry."


@dataclass(frozen=True)
class Dependency:
    """A registry reference stored for a published version."""

    logical_id: str
    application: str
    range: str


@dataclass(frozen=True)
class VersionInfo:
    version: str
    digest: str
    yanked: bool = False
    bundle_digest: str | None = None
    template_path: str | None = None  # the template's place in its bundle (None: the root)


@dataclass(frozen=True)
class AppVersions:
    application: str  # display form, e.g. "Acme/Thing"
    versions: tuple[VersionInfo, ...]
    dist_tags: Mapping[str, str] = field(default_factory=dict)


VersionKey = tuple[str, str]  # (canonical application, version)


class VersionProvider(Protocol):
    async def versions_of(self, apps: Collection[str]) -> Mapping[str, AppVersions]:
        """Versions of the given canonical ids; ids the caller may not see are left out."""
        ...

    async def dependencies_of(
        self, keys: Collection[VersionKey]
    ) -> Mapping[VersionKey, Sequence[Dependency]]:
        """Registry references stored for each version (missing key: none)."""
        ...


@dataclass(frozen=True)
class Request:
    application: str
    range: str


@dataclass(frozen=True)
class Limits:
    max_requests: int = 200
    max_nodes: int = 2000
    max_depth: int = 32


@dataclass
class Resolved:
    application: str
    range: str
    path: str | None
    canonical: str
    display: str  # the application id as its publisher wrote it
    found: VersionInfo
    dependencies: list[Node] = field(default_factory=list)


@dataclass(frozen=True)
class Failed:
    application: str
    range: str
    path: str | None
    code: str
    message: str


Node = Resolved | Failed
_Picks = dict[tuple[str, str], VersionInfo | NestryError]


@dataclass(frozen=True)
class _Pending:
    request: Request
    path: str | None
    ancestors: tuple[VersionKey, ...]
    parent: Resolved | None


async def resolve(
    requests: Sequence[Request],
    provider: VersionProvider,
    *,
    recursive: bool = True,
    limits: Limits = Limits(),
    local_hosts: Collection[str] = (),
) -> list[Node]:
    """Resolve every request (in order); dependencies too when ``recursive``.

    ``local_hosts`` are the names this registry answers to: ids naming one of them are ours.
    """
    if len(requests) > limits.max_requests:
        raise ResolveLimitError(f"At most {limits.max_requests} requests per call.")
    roots: list[Node] = []
    picks: _Picks = {}
    frontier = [_Pending(r, None, (), None) for r in requests]
    total, depth = 0, 0
    while frontier:
        total += len(frontier)
        if total > limits.max_nodes or depth > limits.max_depth:
            raise ResolveLimitError(
                f"The dependency tree exceeds {limits.max_nodes} nodes or depth {limits.max_depth}."
            )
        nodes = await _resolve_level(frontier, provider, local_hosts, picks)
        for pending, node in zip(frontier, nodes, strict=True):
            (pending.parent.dependencies if pending.parent else roots).append(node)
        if not recursive:
            break
        frontier = await _next_level(frontier, nodes, provider)
        depth += 1
    return roots


async def _resolve_level(
    frontier: list[_Pending],
    provider: VersionProvider,
    local_hosts: Collection[str],
    picks: _Picks,
) -> list[Node]:
    canonical = [_canonical(p.request.application, local_hosts) for p in frontier]
    wanted = {c for c in canonical if isinstance(c, str)}
    apps = await provider.versions_of(wanted) if wanted else {}
    return [
        _resolve_one(pending, key, apps, picks)
        for pending, key in zip(frontier, canonical, strict=True)
    ]


async def _next_level(
    frontier: list[_Pending], nodes: list[Node], provider: VersionProvider
) -> list[_Pending]:
    expand = [(p, n) for p, n in zip(frontier, nodes, strict=True) if isinstance(n, Resolved)]
    if not expand:
        return []
    deps = await provider.dependencies_of({_key(n) for _, n in expand})
    return [
        _Pending(Request(d.application, d.range), d.logical_id, (*p.ancestors, _key(n)), n)
        for p, n in expand
        for d in deps.get(_key(n), ())
    ]


def _key(node: Resolved) -> VersionKey:
    return (node.canonical, node.found.version)


def _canonical(application: str, local_hosts: Collection[str]) -> str | NestryError:
    try:
        app_id = parse_app_id(application)
    except InvalidNameError as exc:
        return exc
    if app_id.registry is not None and app_id.registry.lower() not in local_hosts:
        return ForeignRegistryError(f"{application} is served by another registry.")
    return app_id.canonical


def _resolve_one(
    pending: _Pending, key: str | NestryError, apps: Mapping[str, AppVersions], picks: _Picks
) -> Node:
    req = pending.request
    if isinstance(key, NestryError):
        return _fail(pending, key.code, key.message)
    app = apps.get(key)
    if app is None:
        return _fail(pending, "app_not_found", f"No application {req.application}.")
    if (key, req.range) not in picks:  # the same request recurs across a tree: pick once
        picks[(key, req.range)] = _pick(app, req.range)
    picked = picks[(key, req.range)]
    if isinstance(picked, NestryError):
        return _fail(pending, picked.code, picked.message)
    if (key, picked.version) in pending.ancestors:
        chain = " -> ".join(f"{a}@{v}" for a, v in (*pending.ancestors, (key, picked.version)))
        return _fail(pending, "cycle", f"Dependency cycle: {chain}.")
    return Resolved(req.application, req.range, pending.path, key, app.application, picked)


def _pick(app: AppVersions, text: str) -> VersionInfo | NestryError:
    """The version a range or dist-tag selects; yanked versions are never picked."""
    by_version = {v.version: v for v in app.versions}
    if _is_tag(text):
        tagged = by_version.get(app.dist_tags.get(text, ""))
        if tagged is None:
            return NoMatchingVersionError(f"{app.application} has no dist-tag {text!r}.")
        if tagged.yanked:
            return NoMatchingVersionError(
                f"Dist-tag {text!r} of {app.application} points at yanked {tagged.version}."
            )
        return tagged
    candidates = tuple(v.version for v in app.versions if not v.yanked)
    try:
        best = _best(text, candidates)
    except InvalidRangeError as exc:
        return exc
    if best is None:
        return NoMatchingVersionError(f"No version of {app.application} satisfies {text!r}.")
    return by_version[best]


# Per process: the same ranges over the same (immutable, published) versions come back on
# every request; parsing and sorting them again was a sixth of a resolve's CPU. A new or
# yanked version changes ``candidates``, hence the key.
_is_tag = functools.lru_cache(maxsize=1024)(is_dist_tag)


@functools.lru_cache(maxsize=8192)
def _best(text: str, candidates: tuple[str, ...]) -> str | None:
    return max_satisfying(candidates, text)  # raises InvalidRangeError (never cached)


def _fail(pending: _Pending, code: str, message: str) -> Failed:
    req = pending.request
    return Failed(req.application, req.range, pending.path, code, message)
