"""A static in-memory registry source for unit tests of the install pipeline.

It implements the same two methods as ``client.api.client.RegistryClient`` that the resolver uses
(``resolve`` and ``get_bytes``), over a dict of published templates, and counts its calls so
tests can prove what did (not) touch the network.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from client.install.cache import sha256_digest
from client.install.sources import ClientFactory
from client.names import parse_app_id
from client.ranges import is_dist_tag, max_satisfying, sort_versions
from client.template import LocationKind, parse_template

URL = "https://registry.test"


@dataclass
class FakeRegistry:
    # canonical "ns/name" -> version -> template text
    apps: dict[str, dict[str, str]] = field(default_factory=dict)
    bundles: dict[tuple[str, str], bytes] = field(default_factory=dict)
    calls: list[tuple[str, Any]] = field(default_factory=list)
    tamper: bool = False
    # (canonical app, version) -> status fields of its version document (yanked, deprecated)
    status: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def publish(self, app: str, version: str, template: str, bundle: bytes | None = None) -> None:
        self.apps.setdefault(app.lower(), {})[version] = template
        if bundle is not None:
            self.bundles[(app.lower(), version)] = bundle

    # -- the RegistrySource protocol ----------------------------------------------------
    def resolve(
        self, requests: Sequence[tuple[str, str]], *, recursive: bool = True
    ) -> list[dict[str, Any]]:
        self.calls.append(("resolve", list(requests)))
        return [self._result(app, spec, recursive, ()) for app, spec in requests]

    def get_bytes(self, url_or_path: str) -> bytes:
        self.calls.append(("get", url_or_path))
        parts = url_or_path.split("/")  # /v1/apps/ns/name/versions/v/template
        if len(parts) == 7:  # the version document: only its status fields matter here
            key = (f"{parts[3]}/{parts[4]}".lower(), parts[6])
            return json.dumps(self.status.get(key, {})).encode()
        app, version, kind = f"{parts[3]}/{parts[4]}".lower(), parts[6], parts[7]
        data = (
            self.apps[app][version].encode() if kind == "template" else self.bundles[(app, version)]
        )
        return data + b"#tampered" if self.tamper else data

    # -- helpers ------------------------------------------------------------------------
    def _result(
        self, app: str, spec: str, recursive: bool, seen: tuple[str, ...]
    ) -> dict[str, Any]:
        versions = self.apps.get(app.lower())
        if versions is None:
            return {
                "application": app,
                "range": spec,
                "error": {"code": "app_not_found", "message": f"{app} not found"},
            }
        if is_dist_tag(spec):
            version: str | None = sort_versions(v for v in versions if "-" not in v)[-1]
        else:
            version = max_satisfying(versions, spec)
        if version is None:
            return {
                "application": app,
                "range": spec,
                "error": {"code": "no_matching_version", "message": "none"},
            }
        template = versions[version]
        bundle = self.bundles.get((app.lower(), version))
        base = f"/v1/apps/{app}/versions/{version}"
        result: dict[str, Any] = {
            "application": app,
            "range": spec,
            "version": version,
            "digest": sha256_digest(template.encode()),
            "template_url": f"{base}/template",
            "bundle_url": f"{base}/bundle" if bundle else None,
            "bundle_digest": sha256_digest(bundle) if bundle else None,
            "dependencies": [],
        }
        if recursive and app.lower() not in seen:
            for ref in parse_template(template).references:
                if ref.kind == LocationKind.REGISTRY and ref.application_id and ref.version_spec:
                    child = self._result(
                        ref.application_id.display, ref.version_spec, True, (*seen, app.lower())
                    )
                    result["dependencies"].append({"path": ref.logical_id, **child})
        return result

    def resolve_calls(self) -> int:
        return sum(1 for kind, _ in self.calls if kind == "resolve")

    def get_calls(self) -> int:
        """Template and bundle downloads (version documents, the status checks, not counted)."""
        return sum(1 for kind, url in self.calls if kind == "get" and url.count("/") == 7)

    def status_calls(self) -> int:
        return sum(1 for kind, url in self.calls if kind == "get" and url.count("/") == 6)


def factory(registry: FakeRegistry) -> ClientFactory:
    return ClientFactory(lambda app: URL, lambda url: registry)


def app_id(text: str) -> str:
    return parse_app_id(text).canonical
