"""Facts about a resolved tree: its lockfile, its parameter problems, what deploying it needs."""

from __future__ import annotations

from client.install.build import has_local_code
from client.install.errors import ParameterError
from client.install.lockfile import LockEntry, Lockfile
from client.install.resolver import Node, walk
from client.install.sources import FetchJob
from client.parameters import check_parameters
from client.template import Template
from client.template.capabilities import AUTO_EXPAND


def lock_of(roots: list[Node]) -> Lockfile:
    entries = {
        node.path: LockEntry(
            application=node.pin.application,
            range=node.range,
            version=node.pin.version,
            digest=node.pin.digest,
            registry=node.pin.registry,
            bundle_digest=node.pin.bundle_digest,
            template_path=node.pin.template_path,
        )
        for node in walk(roots)
    }
    return Lockfile(dict(sorted(entries.items())))


def capabilities_of(root: Template, nodes: list[Node]) -> tuple[str, ...]:
    found = set(root.capabilities)
    for node in nodes:
        found |= set(node.template.capabilities)
        if node.template.is_sam:
            found.add(AUTO_EXPAND)  # a nested stack whose template is itself a macro
    return tuple(sorted(found))


def check_all_parameters(nodes: list[Node]) -> None:
    problems: list[str] = []
    for node in nodes:
        declared = node.template.document.get("Parameters") or {}
        problems += check_parameters(node.path, node.reference.parameters, declared)
    if problems:
        raise ParameterError(problems)


def bundle_jobs(nodes: list[Node]) -> list[FetchJob]:
    return [
        FetchJob(n.pin.registry, n.pin.bundle_url, n.pin.bundle_digest, f"bundle of {n.pin.label}")
        for n in nodes
        if n.pin.bundle_digest and n.pin.bundle_url
    ]


def needs_sam_build(root: Template, nodes: list[Node]) -> bool:
    return has_local_code(root.document) or any(has_local_code(n.template.document) for n in nodes)
