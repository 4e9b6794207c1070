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

from dataclasses import dataclass, field, replace

from client.install.errors import CycleError, ResolutionError
from client.install.lockfile import Lockfile
from client.install.pins import Pin, Pinner, PinOptions
from client.install.sources import Fetcher, FetchJob, call_registry, fetch_many, registry_key
from client.names import AppId, parse_app_id
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
        self._served: dict[tuple[int, tuple[str, ...]], list[Reference]] = {}

    def resolve(self, root: Template) -> list[Node]:
        """The tree under ``root``; raises the first failure as a ``ResolutionError``."""
        registry = self.fetcher.clients.default_registry()
        requests = _requests(self._refs(root, (), registry), ())
        try:
            found = drive(resolve(requests, fail_fast=True), self)
        except ResolveLimitError as exc:
            raise ResolutionError(exc.message) from None
        return [self._node(n, root, (), registry) for n in found]

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
            pin.digest: _requests(
                self._refs(self._template(pin), node.trail, pin.registry), node.trail
            )
            for node, pin in zip(need.nodes, pins, strict=True)
        }

    # -- helpers ------------------------------------------------------------------------
    def _pin(self, node: Resolved) -> Pin:
        return self.pinner.pins[(str(node.source), node.canonical, node.found.version)]

    def _template(self, pin: Pin) -> Template:
        if pin.digest not in self._parsed:
            self._parsed[pin.digest] = parse_template(self._datas[pin.digest], source=pin.label)
        return self._parsed[pin.digest]

    def _node(
        self, found: Resolution, parent: Template, trail: tuple[str, ...], registry: str | None
    ) -> Node:
        path = "/".join(found.trail)
        if isinstance(found, Failed):
            raise self._failure(found, path)
        pin = self._pin(found)
        template = self._template(pin)
        served = self._refs(parent, trail, registry)  # kept: asked once per template and trail
        [reference] = [r for r in served if r.logical_id == found.path]
        children = [
            self._node(child, template, found.trail, pin.registry) for child in found.dependencies
        ]
        return Node(path, reference, found.range, pin, template, self._datas[pin.digest], children)

    def _refs(
        self, template: Template, trail: tuple[str, ...], registry: str | None
    ) -> list[Reference]:
        """The template's registry references, with each SAR reference that ``registry`` (the
        parent's; the default one at the top) serves, through an alias or as its own
        ``arn:nestry:`` ARN, turned into a reference to the app that serves it.

        One resolve call per template that has SAR references; offline, ``nestry.lock``
        answers instead (the entry at the reference's path, for the same range and registry).
        """
        key = (id(template), trail)
        if key not in self._served:
            sar = [
                r
                for r in template.references
                if r.kind == LocationKind.SAR and r.sar_application_id and r.version_spec
            ]
            served: dict[str, AppId] = {}
            if sar and registry is not None:
                ask = self._served_by_lock if self.fetcher.offline else self._served_by_registry
                served = ask(sar, trail, registry)
            self._served[key] = [
                replace(r, kind=LocationKind.REGISTRY, application_id=served[r.logical_id])
                if r.logical_id in served and r.kind == LocationKind.SAR
                else r
                for r in template.references
                if r.kind == LocationKind.REGISTRY or r.logical_id in served
            ]
        return self._served[key]

    def _served_by_registry(
        self, sar: list[Reference], _trail: tuple[str, ...], registry: str
    ) -> dict[str, AppId]:
        client = self.fetcher.clients.client(registry)
        asked = [(str(r.sar_application_id), str(r.version_spec)) for r in sar]
        answers = call_registry(
            registry, "asking about SAR ARNs", lambda: client.resolve(asked, recursive=False)
        )
        served: dict[str, AppId] = {}
        for ref, answer in zip(sar, answers, strict=False):
            target = answer.get("application") if "error" not in answer else None
            if isinstance(target, str) and target != ref.sar_application_id:
                served[ref.logical_id] = parse_app_id(target)
        return served

    def _served_by_lock(
        self, sar: list[Reference], trail: tuple[str, ...], registry: str
    ) -> dict[str, AppId]:
        served: dict[str, AppId] = {}
        for ref in sar:
            entry = self.pinner.lock.get("/".join((*trail, ref.logical_id)))
            if (
                entry is not None
                and entry.range == ref.version_spec
                and registry_key(entry.registry) == registry
            ):
                served[ref.logical_id] = parse_app_id(entry.application)
        return served

    def _failure(self, failed: Failed, path: str) -> ResolutionError:
        if failed.code == "cycle":
            return CycleError(f"{path}: {failed.message}")
        registry = self.pinner.registries.get(path, "its registry")
        return ResolutionError(
            f"{path}: cannot resolve {failed.application} {failed.range} on {registry}: "
            f"{failed.message} ({failed.code})"
        )


def _requests(refs: list[Reference], trail: tuple[str, ...]) -> list[Request]:
    requests = []
    for ref in refs:
        if ref.application_id is None or not ref.version_spec:
            path = "/".join((*trail, ref.logical_id))
            raise ResolutionError(
                f"{path}: a registry reference needs ApplicationId and SemanticVersion"
            )
        requests.append(Request(str(ref.application_id), ref.version_spec, ref.logical_id))
    return requests
