"""In-memory registries for tests: the real resolver (``client.resolution``) driven from dicts.

``Catalog`` is the dict-backed driver: applications' versions and dist-tags by canonical name,
the registry references of each template by digest. ``FakeRegistry`` publishes templates into
one and answers the two ``client.api.client.RegistryClient`` methods the install pipeline uses
(``resolve``, ``get_bytes``) in the shapes of docs/ARCHITECTURE.md, counting its calls so tests
can prove what did (not) touch the network. ``latest`` follows the highest non-prerelease,
non-yanked version unless set with ``tag``, as on the registry (registry.lifecycle.dist_tags).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

from client.install.cache import sha256_digest
from client.install.sources import ClientFactory
from client.names import parse_app_id, parse_version
from client.resolution import (
    AppVersions,
    Candidates,
    Failure,
    NeedTemplates,
    NeedVersions,
    Node,
    Request,
    VersionInfo,
    drive,
    resolve,
)
from client.template import LocationKind, parse_template
from registry.resolve.api import node_document

URL = "https://registry.test"


@dataclass
class Catalog:
    """A ``client.resolution.Source`` over dicts; ``needs`` records every question asked."""

    apps: dict[str, AppVersions] = field(default_factory=dict)
    references: dict[str, list[Request]] = field(default_factory=dict)
    needs: list[NeedVersions | NeedTemplates] = field(default_factory=list)

    def versions(self, need: NeedVersions) -> list[Candidates]:
        self.needs.append(need)
        return [self._offer(item.canonical, item.request.application) for item in need.requests]

    def templates(self, need: NeedTemplates) -> dict[str, list[Request]]:
        self.needs.append(need)
        digests = {node.found.digest for node in need.nodes}
        return {d: self.references[d] for d in digests if d in self.references}

    def _offer(self, canonical: str, written: str) -> Candidates:
        found = self.apps.get(canonical)
        return found or Failure("app_not_found", f"No application {written}.")


@dataclass
class FakeRegistry:
    catalog: Catalog = field(default_factory=Catalog)
    templates: dict[str, bytes] = field(default_factory=dict)  # digest -> template bytes
    bundles: dict[str, bytes] = field(default_factory=dict)  # digest -> bundle bytes
    explicit_tags: dict[str, dict[str, str]] = field(default_factory=dict)
    calls: list[tuple[str, Any]] = field(default_factory=list)
    tamper: bool = False
    # (canonical app, version) -> status fields of its version document (yanked, deprecated)
    status: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def publish(
        self,
        app: str,
        version: str,
        template: str,
        bundle: bytes | None = None,
        *,
        template_path: str | None = None,
    ) -> None:
        data = template.encode()
        digest = sha256_digest(data)
        bundle_digest = sha256_digest(bundle) if bundle is not None else None
        self.templates[digest] = data
        if bundle is not None and bundle_digest is not None:
            self.bundles[bundle_digest] = bundle
        self.catalog.references[digest] = [
            Request(str(ref.application_id), ref.version_spec or "latest", ref.logical_id)
            for ref in parse_template(template).references
            if ref.kind == LocationKind.REGISTRY and ref.application_id
        ]
        info = VersionInfo(version, digest, False, bundle_digest, template_path)
        known = self.catalog.apps.get(app.lower())
        versions = (*(known.versions if known else ()), info)
        self._store(known.application if known else app, versions)

    def yank(self, app: str, version: str) -> None:
        known = self.catalog.apps[app.lower()]
        versions = tuple(
            VersionInfo(v.version, v.digest, True, v.bundle_digest, v.template_path)
            if v.version == version
            else v
            for v in known.versions
        )
        self._store(known.application, versions)

    def tag(self, app: str, tag: str, version: str) -> None:
        self.explicit_tags.setdefault(app.lower(), {})[tag] = version
        known = self.catalog.apps[app.lower()]
        self._store(known.application, known.versions)

    # -- the RegistrySource protocol ----------------------------------------------------
    def resolve(
        self, requests: Sequence[tuple[str, str]], *, recursive: bool = True
    ) -> list[dict[str, Any]]:
        self.calls.append(("resolve", list(requests)))
        asked = [Request(app, spec) for app, spec in requests]
        return [
            result_document(n) for n in drive(resolve(asked, recursive=recursive), self.catalog)
        ]

    def get_bytes(self, url_or_path: str) -> bytes:
        self.calls.append(("get", url_or_path))
        parts = url_or_path.split("/")  # /v1/apps/ns/name/versions/v/template
        if len(parts) == 7:  # the version document: only its status fields matter here
            key = (f"{parts[3]}/{parts[4]}".lower(), parts[6])
            return json.dumps(self.status.get(key, {})).encode()
        app, version, kind = f"{parts[3]}/{parts[4]}".lower(), parts[6], parts[7]
        info = self.catalog.apps[app].by_version[version]
        data = (
            self.templates[info.digest]
            if kind == "template"
            else self.bundles[str(info.bundle_digest)]
        )
        return data + b"#tampered" if self.tamper else data

    # -- helpers ------------------------------------------------------------------------
    def _store(self, display: str, versions: tuple[VersionInfo, ...]) -> None:
        canonical = display.lower()
        tags = {"latest": latest} if (latest := _highest_release(versions)) else {}
        tags.update(self.explicit_tags.get(canonical, {}))
        self.catalog.apps[canonical] = AppVersions(display, versions, tags)

    def resolve_calls(self) -> int:
        return sum(1 for kind, _ in self.calls if kind == "resolve")

    def get_calls(self) -> int:
        """Template and bundle downloads (version documents, the status checks, not counted)."""
        return sum(1 for kind, url in self.calls if kind == "get" and url.count("/") == 7)

    def status_calls(self) -> int:
        return sum(1 for kind, url in self.calls if kind == "get" and url.count("/") == 6)


def _highest_release(versions: Sequence[VersionInfo]) -> str | None:
    releases = [
        v.version for v in versions if not v.yanked and not parse_version(v.version).prerelease
    ]
    return max(releases, key=parse_version, default=None)


def result_document(node: Node) -> dict[str, Any]:
    """A node as ``POST /v1/resolve`` shows it: the registry's own answer shape."""
    answer: dict[str, Any] = msgspec.to_builtins(node_document(node))
    return answer


def factory(registry: FakeRegistry) -> ClientFactory:
    return ClientFactory(lambda app: URL, lambda url: registry)


def app_id(text: str) -> str:
    return parse_app_id(text).canonical
