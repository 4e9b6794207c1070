"""Resolve the registry references of a template into a tree of pinned, fetched applications.

Terminology: a *reference* is an ``AWS::Serverless::Application`` naming a registry app and a
*range*; a *pin* is the exact version (and digest) chosen for it (see ``client.install.pins``); a
*node* is one reference instance in the tree, addressed by its *path* (logical ids joined by
``/``).

The rules (limits, selection, cycles) are ``client.resolution``'s; ``Resolver`` drives it with
what ``nestry install`` has: pins from the lockfile or the registries (``Pinner``), and the
templates themselves, fetched through the cache and verified. Each level costs at most one
resolve call per registry and one concurrent fetch of the templates it needs. A child's nested
references are read from its fetched (verified) template, so the tree is exactly what will be
deployed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from client.install.errors import CycleError, ResolutionError
from client.install.lockfile import Lockfile
from client.install.pins import Pin, Pinner, PinOptions
from client.install.sources import Fetcher, FetchJob, fetch_many
from client.resolution import (
    Candidates,
    Failed,
    NeedTemplates,
    NeedVersions,
    Request,
    Resolved,
    ResolveLimitError,
    drive,
    resolve,
)
from client.resolution import Node as Resolution
from client.template import LocationKind, Reference, Template, parse_template


@dataclass
class Node:
    path: str
    reference: Reference
    range: str
    pin: Pin
    template: Template
    data: bytes
    children: list[Node] = field(default_factory=list)


def registry_refs(template: Template) -> list[Reference]:
    return [r for r in template.references if r.kind == LocationKind.REGISTRY]


def walk(nodes: list[Node]) -> list[Node]:
    """Every node of the tree, parents before children, in path order."""
    result: list[Node] = []
    for node in sorted(nodes, key=lambda n: n.path):
        result += [node, *walk(node.children)]
    return result


class Resolver:
    """A ``client.resolution.Source``: candidates from ``Pinner``, references from templates."""

    def __init__(self, fetcher: Fetcher, lock: Lockfile, options: PinOptions) -> None:
        self.fetcher = fetcher
        self.pinner = Pinner(fetcher.clients, lock, options)
        self._datas: dict[str, bytes] = {}
        self._parsed: dict[str, Template] = {}

    def resolve(self, root: Template) -> list[Node]:
        """The tree under ``root``; raises the first failure as a ``ResolutionError``."""
        requests = _requests(root, ())
        try:
            found = drive(resolve(requests, fail_fast=True), self)
        except ResolveLimitError as exc:
            raise ResolutionError(exc.message) from None
        return [self._node(n, root) for n in found]

    # -- the Source protocol ------------------------------------------------------------
    def versions(self, need: NeedVersions) -> list[Candidates]:
        return self.pinner.candidates(need)

    def templates(self, need: NeedTemplates) -> dict[str, list[Request]]:
        pins = [self._pin(node) for node in need.nodes]
        jobs = [
            FetchJob(pin.registry, pin.template_url, pin.digest, pin.label)
            for pin in pins
            if pin.digest not in self._datas
        ]
        self._datas.update(fetch_many(self.fetcher, jobs))
        return {
            pin.digest: _requests(self._template(pin), node.trail)
            for node, pin in zip(need.nodes, pins, strict=True)
        }

    # -- helpers ------------------------------------------------------------------------
    def _pin(self, node: Resolved) -> Pin:
        return self.pinner.pins[(str(node.source), node.canonical, node.found.version)]

    def _template(self, pin: Pin) -> Template:
        if pin.digest not in self._parsed:
            self._parsed[pin.digest] = parse_template(self._datas[pin.digest], source=pin.label)
        return self._parsed[pin.digest]

    def _node(self, found: Resolution, parent: Template) -> Node:
        path = "/".join(found.trail)
        if isinstance(found, Failed):
            raise self._failure(found, path)
        pin = self._pin(found)
        template = self._template(pin)
        [reference] = [r for r in registry_refs(parent) if r.logical_id == found.path]
        children = [self._node(child, template) for child in found.dependencies]
        return Node(path, reference, found.range, pin, template, self._datas[pin.digest], children)

    def _failure(self, failed: Failed, path: str) -> ResolutionError:
        if failed.code == "cycle":
            return CycleError(f"{path}: {failed.message}")
        registry = self.pinner.registries.get(path, "its registry")
        return ResolutionError(
            f"{path}: cannot resolve {failed.application} {failed.range} on {registry}: "
            f"{failed.message} ({failed.code})"
        )


def _requests(template: Template, trail: tuple[str, ...]) -> list[Request]:
    requests = []
    for ref in registry_refs(template):
        if ref.application_id is None or not ref.version_spec:
            path = "/".join((*trail, ref.logical_id))
            raise ResolutionError(
                f"{path}: a registry reference needs ApplicationId and SemanticVersion"
            )
        requests.append(Request(str(ref.application_id), ref.version_spec, ref.logical_id))
    return requests
