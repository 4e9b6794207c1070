"""Resolve the registry references of a template into a tree of pinned, fetched applications.

Terminology: a *reference* is an ``AWS::Serverless::Application`` naming a registry app and a
*range*; a *pin* is the exact version (and digest) chosen for it (see ``client.pins``); a *node*
is one reference instance in the tree, addressed by its *path* (logical ids joined by ``/``).

The tree is walked a level at a time: each level costs at most one resolve call per registry
and one concurrent fetch of the templates it needs. A child's nested references are read from
its fetched (verified) template, so the tree is exactly what will be deployed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from client.install_errors import CycleError, ResolutionError
from client.lockfile import Lockfile
from client.names import AppId, parse_app_id
from client.pins import Open, Pin, Pinned, Pinner, PinOptions
from client.sources import Fetcher, FetchJob, call_registry, fetch_many, registry_key
from client.template import LocationKind, Reference, Template, parse_template

MAX_DEPTH = 16
MAX_NODES = 2000


@dataclass
class Node:
    path: str
    reference: Reference
    range: str
    pin: Pin
    template: Template
    data: bytes
    chain: tuple[str, ...]  # applications from the top of the tree down to this one
    children: list[Node] = field(default_factory=list)


_Item = tuple[Open, "Node | None"]  # an open reference and the node that nests it


def registry_refs(template: Template) -> list[Reference]:
    return [r for r in template.references if r.kind == LocationKind.REGISTRY]


def walk(nodes: list[Node]) -> list[Node]:
    """Every node of the tree, parents before children, in path order."""
    result: list[Node] = []
    for node in sorted(nodes, key=lambda n: n.path):
        result += [node, *walk(node.children)]
    return result


class Resolver:
    def __init__(self, fetcher: Fetcher, lock: Lockfile, options: PinOptions) -> None:
        self.fetcher = fetcher
        self.pinner = Pinner(fetcher.clients, lock, options)
        # One pin per (parent digest, logical id): identical templates nest identical children,
        # so one vendored copy of each app version serves every instance of it.
        self._memo: dict[tuple[str, str], Pinned] = {}
        self._datas: dict[str, bytes] = {}
        self._parsed: dict[str, Template] = {}

    def resolve(self, root: Template) -> list[Node]:
        roots: list[Node] = []
        level: list[_Item] = [
            (self._open(ref, None, None), None) for ref in self._served(root, None)
        ]
        count = 0
        while level:
            pins = self._pin_level(level)
            self._fetch(pins)
            next_level: list[_Item] = []
            for (item, parent), (pin, deps) in zip(level, pins, strict=True):
                chain = (*(parent.chain if parent else ()), item.app.display)
                node = self._node(item, pin, chain)
                (parent.children if parent else roots).append(node)
                next_level += [
                    (self._open(r, node, deps), node) for r in self._served(node.template, node)
                ]
            count += len(level)
            if count > MAX_NODES:
                raise ResolutionError(f"the tree has more than {MAX_NODES} nested applications")
            level = next_level
        return roots

    def _served(self, template: Template, parent: Node | None) -> list[Reference]:
        """The template's registry references, with each SAR reference that the registry in
        charge (the parent's; the default one at the top) serves, through an alias or as its
        own ``arn:nestry:`` ARN, turned into a reference to the app that serves it.

        One resolve call per template that has SAR references; offline, ``nestry.lock``
        answers instead (the entry at the reference's path, for the same range and registry).
        """
        sar = [
            r
            for r in template.references
            if r.kind == LocationKind.SAR and r.sar_application_id and r.version_spec
        ]
        registry = parent.pin.registry if parent else self.fetcher.clients.default_registry()
        if not sar or registry is None:
            return registry_refs(template)
        if self.fetcher.offline:
            served = self._served_by_lock(sar, parent, registry)
        else:
            served = self._served_by_registry(sar, registry)
        return [
            replace(r, kind=LocationKind.REGISTRY, application_id=served[r.logical_id])
            if r.logical_id in served and r.kind == LocationKind.SAR
            else r
            for r in template.references
            if r.kind == LocationKind.REGISTRY or r.logical_id in served
        ]

    def _served_by_registry(self, sar: list[Reference], registry: str) -> dict[str, AppId]:
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
        self, sar: list[Reference], parent: Node | None, registry: str
    ) -> dict[str, AppId]:
        served: dict[str, AppId] = {}
        for ref in sar:
            path = f"{parent.path}/{ref.logical_id}" if parent else ref.logical_id
            entry = self.pinner.lock.get(path)
            if (
                entry is not None
                and entry.range == ref.version_spec
                and registry_key(entry.registry) == registry
            ):
                served[ref.logical_id] = parse_app_id(entry.application)
        return served

    def _open(self, ref: Reference, parent: Node | None, deps: dict[str, object] | None) -> Open:
        path = f"{parent.path}/{ref.logical_id}" if parent else ref.logical_id
        app = ref.application_id
        if app is None or not ref.version_spec:
            raise ResolutionError(
                f"{path}: a registry reference needs ApplicationId and SemanticVersion"
            )
        chain = (*(parent.chain if parent else ()), app.display)
        if parent and app.canonical in (a.lower() for a in parent.chain):
            raise CycleError(f"{path}: dependency cycle {' > '.join(chain)}")
        if len(chain) > MAX_DEPTH:
            raise ResolutionError(f"{path}: nested more than {MAX_DEPTH} levels deep")
        # A nested id without a host lives where its parent was published.
        if parent is None or app.registry is not None:
            registry = self.fetcher.clients.registry_for(app)
        else:
            registry = parent.pin.registry
        hint = (deps or {}).get(ref.logical_id)
        return Open(
            path, ref, app, ref.version_spec, registry, hint if isinstance(hint, dict) else None
        )

    def _pin_level(self, level: list[_Item]) -> list[Pinned]:
        keys = [(p.pin.digest if p else "", item.reference.logical_id) for item, p in level]
        todo = [i for i, key in enumerate(keys) if key[0] == "" or key not in self._memo]
        fresh = dict(zip(todo, self.pinner.pin_level([level[i][0] for i in todo]), strict=True))
        result: list[Pinned] = []
        for index, key in enumerate(keys):
            pinned = fresh[index] if index in fresh else self._memo[key]
            if key[0]:  # top-level references have no parent template to share
                pinned = self._memo.setdefault(key, pinned)
            result.append(pinned)
        return result

    def _fetch(self, pins: list[Pinned]) -> None:
        jobs = [
            FetchJob(pin.registry, pin.template_url, pin.digest, pin.label)
            for pin, _ in pins
            if pin.digest not in self._datas
        ]
        self._datas.update(fetch_many(self.fetcher, jobs))

    def _node(self, item: Open, pin: Pin, chain: tuple[str, ...]) -> Node:
        if pin.digest not in self._parsed:
            self._parsed[pin.digest] = parse_template(self._datas[pin.digest], source=pin.label)
        template = self._parsed[pin.digest]
        return Node(
            item.path, item.reference, item.range, pin, template, self._datas[pin.digest], chain
        )
