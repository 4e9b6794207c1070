"""The resolver as a generator: it yields what it needs and is sent the answers (sans-I/O).

``resolve(requests)`` walks the tree one level at a time. Each level it yields
``NeedVersions`` (the open requests; answer: one ``Candidates`` each) and then, unless
``recursive`` is off, ``NeedTemplates`` (the distinct templates just picked; answer: the
registry references each nests). So a driver is asked twice per level however wide the level
is. It returns the root nodes, in request order, with their dependencies below them.

Rules, the same for every driver:
- a request selects with ``client.resolution.pick`` among the versions offered for it;
- an application id that does not parse fails with ``invalid_name`` (the driver is not asked);
- a node whose (source, application, version) is already on its chain fails with ``cycle``
  and names the chain; the same application at another version is not a cycle;
- a failed node has no dependencies, and the other nodes go on (``fail_fast`` stops at the
  end of the first level holding a failure, for callers that refuse any failure anyway);
- more than ``max_fan_out`` requests, or references in one template, more than ``max_nodes``
  nodes, or a node deeper than ``max_depth`` raises ``ResolveLimitError``.

Drive it with ``drive`` (a blocking ``Source``) or ``drive_async`` (an ``AsyncSource``).
"""

from __future__ import annotations

import functools
from collections.abc import Generator, Mapping, Sequence
from typing import Any, Protocol

from client.errors import InvalidNameError, NestryError
from client.names import AppId, parse_app_id
from client.resolution.model import (
    LIMITS,
    Candidates,
    ChainKey,
    Failed,
    Failure,
    Limits,
    NeedTemplates,
    NeedVersions,
    Node,
    Open,
    Request,
    Resolved,
)
from client.resolution.pick import pick

Resolution = Generator[NeedVersions | NeedTemplates, Any, list[Node]]
References = Mapping[str, Sequence[Request]]


class ResolveLimitError(NestryError):
    code = "resolve_too_large"
    hint = "Send fewer requests per call, or split the tree into several calls."


class Source(Protocol):
    def versions(self, need: NeedVersions) -> Sequence[Candidates]: ...

    def templates(self, need: NeedTemplates) -> References: ...


class AsyncSource(Protocol):
    async def versions(self, need: NeedVersions) -> Sequence[Candidates]: ...

    async def templates(self, need: NeedTemplates) -> References: ...


def resolve(
    requests: Sequence[Request],
    *,
    recursive: bool = True,
    limits: Limits = LIMITS,
    fail_fast: bool = False,
) -> Resolution:
    """The resolution of ``requests`` as a generator (see the module docstring)."""
    _check_fan_out(len(requests), limits, "requests in one call")
    roots: list[Node] = []
    level: list[_Pending] = [(r, _trail((), r), None) for r in requests]
    total, depth = 0, 1
    while level:
        total += len(level)
        if total > limits.max_nodes:
            raise ResolveLimitError(f"The dependency tree exceeds {limits.max_nodes} nodes.")
        if depth > limits.max_depth:
            raise ResolveLimitError(f"The dependency tree is deeper than {limits.max_depth}.")
        nodes = yield from _resolve_level(level)
        for (_, _, parent), node in zip(level, nodes, strict=True):
            (parent.dependencies if parent else roots).append(node)
        if fail_fast and any(isinstance(n, Failed) for n in nodes):
            break
        resolved = [n for n in nodes if isinstance(n, Resolved)]
        if not recursive or not resolved:
            break
        distinct = {n.found.digest: n for n in resolved}
        references: References = yield NeedTemplates(tuple(distinct.values()))
        level = []
        for node in resolved:
            children = references.get(node.found.digest, ())
            _check_fan_out(len(children), limits, f"references in {node.display}")
            level += [(child, _trail(node.trail, child), node) for child in children]
        depth += 1
    return roots


def drive(resolution: Resolution, source: Source) -> list[Node]:
    """Run ``resolution`` to its end, answering from ``source``."""
    try:
        need = next(resolution)
        while True:
            if isinstance(need, NeedVersions):
                need = resolution.send(source.versions(need))
            else:
                need = resolution.send(source.templates(need))
    except StopIteration as stop:
        result: list[Node] = stop.value
        return result


async def drive_async(resolution: Resolution, source: AsyncSource) -> list[Node]:
    """``drive`` for a source whose answers are awaited (the registry's database)."""
    try:
        need = next(resolution)
        while True:
            if isinstance(need, NeedVersions):
                need = resolution.send(await source.versions(need))
            else:
                need = resolution.send(await source.templates(need))
    except StopIteration as stop:
        result: list[Node] = stop.value
        return result


_Pending = tuple[Request, tuple[str, ...], Resolved | None]


def _resolve_level(level: list[_Pending]) -> Generator[NeedVersions, Any, list[Node]]:
    parsed = [_parse(request) for request, _, _ in level]
    opened = [
        Open(request, app, app.canonical, trail, parent)
        for (request, trail, parent), app in zip(level, parsed, strict=True)
        if isinstance(app, AppId)
    ]
    answers: Sequence[Candidates] = (yield NeedVersions(tuple(opened))) if opened else ()
    if len(answers) != len(opened):
        raise ValueError(f"a source answered {len(answers)} of {len(opened)} requests")
    offered = iter(zip(opened, answers, strict=True))
    nodes: list[Node] = []
    for (request, trail, _), app in zip(level, parsed, strict=True):
        if isinstance(app, InvalidNameError):
            nodes.append(Failed(request, trail, app.code, app.message))
        else:
            nodes.append(_select(*next(offered)))
    return nodes


def _select(item: Open, candidates: Candidates) -> Node:
    request, trail = item.request, item.trail
    if isinstance(candidates, Failure):
        return Failed(request, trail, candidates.code, candidates.message)
    found = pick(candidates, request.range)
    if isinstance(found, Failure):
        return Failed(request, trail, found.code, found.message)
    canonical = item.canonical
    key: ChainKey = (candidates.source, canonical, found.version)
    chain = (*(item.parent.chain if item.parent else ()), key)
    if key in chain[:-1]:
        cycle = " -> ".join(f"{app}@{version}" for _, app, version in chain)
        return Failed(request, trail, "cycle", f"Dependency cycle: {cycle}.")
    display = candidates.application
    return Resolved(request, trail, canonical, display, found, candidates.source, chain)


def _parse(request: Request) -> AppId | InvalidNameError:
    return _parsed(request.application)


# Per process, like the picks: the same ids come back on every request (an ``AppId`` is frozen).
@functools.lru_cache(maxsize=4096)
def _parsed(application: str) -> AppId | InvalidNameError:
    try:
        return parse_app_id(application)
    except InvalidNameError as exc:
        return exc


def _trail(parent: tuple[str, ...], request: Request) -> tuple[str, ...]:
    return (*parent, request.logical_id) if request.logical_id is not None else parent


def _check_fan_out(count: int, limits: Limits, what: str) -> None:
    if count > limits.max_fan_out:
        raise ResolveLimitError(f"At most {limits.max_fan_out} {what}; got {count}.")
