"""The app and version documents (docs/ARCHITECTURE.md "HTTP shapes") as declared shapes: what
``registry.documents.build`` renders, and the OpenAPI document's schemas of them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from msgspec import Meta, field

from registry.serving.shapes import Count, Digest, Json, Shape, Visibility

TemplatePath = Annotated[
    str | None,
    Meta(
        description="Where the template sits inside the bundle, as published (template_path, "
        "normalised); null: the bundle root. Its relative CodeUri and local Location paths "
        "resolve from there."
    ),
]


class VersionSummary(Shape):
    """One version in an app document (every field present)."""

    version: str
    digest: Digest
    published_at: datetime
    yanked: bool
    yanked_reason: str | None
    deprecated: str | None
    downloads: Count


class AppDocument(Shape, kw_only=True):
    # Declared in the order the document has always listed them (keyword-only: required
    # fields need not come first), so its bytes and ETag are what clients hold already.
    application: str
    namespace: str
    name: str
    description: str | None = None
    author: str | None = None
    labels: list[str] = field(default_factory=list)
    home_page_url: str | None = None
    source_code_url: str | None = None
    spdx_license_id: str | None = None
    visibility: Visibility
    dist_tags: dict[str, str]
    downloads: Count = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    versions: list[VersionSummary]


class Dependency(Shape):
    logical_id: str
    kind: Literal["registry", "sar", "local", "url"]
    application: str | None = None
    range: str | None = None
    location: str | None = None


class VersionDocument(Shape, kw_only=True):
    # In the document's order, as ``AppDocument``: the changeable head, then the tail.
    application: str
    version: str
    digest: Digest
    published_at: datetime | None = None
    yanked: bool = False
    yanked_reason: str | None = None
    deprecated: str | None = None
    downloads: Count = 0
    parameters: dict[str, Json] = field(default_factory=dict)
    outputs: dict[str, Json] = field(default_factory=dict)
    capabilities: list[str] = field(default_factory=list)
    dependencies: list[Dependency] = field(default_factory=list)
    metadata: Json = field(default_factory=dict)
    readme: str | None = None
    template_url: str
    bundle_url: str | None = None
    bundle_digest: Digest | None = None
    template_path: TemplatePath = None
