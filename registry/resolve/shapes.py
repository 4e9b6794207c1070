"""The body and answer of ``POST /v1/resolve``."""

from __future__ import annotations

from typing import Annotated, Any

from msgspec import UNSET, Meta, UnsetType

from client.resolution import LIMITS
from registry.documents.shapes import TemplatePath
from registry.serving.shapes import Digest, ErrorDetail, Shape, ref

ResolveResult = Annotated[Any, Meta(extra_json_schema=ref("ResolveResult"))]
RESULT = (
    "A resolved node, or an error node whose code is one of no_matching_version, app_not_found "
    "(also for apps the caller may not read), invalid_range, invalid_name, foreign_registry "
    "(resolve it against that registry) or cycle (the message names the loop)."
)
Path = Annotated[str, Meta(description="logical id in the parent (dependencies)")]


class ResolveItem(Shape):
    application: str
    range: str


class ResolveRequest(Shape):
    # More than LIMITS.max_fan_out is 400 resolve_too_large (checked after the shape, so the
    # code names the limit): stated here, not validated here.
    requests: Annotated[
        list[ResolveItem], Meta(min_length=1, extra_json_schema={"maxItems": LIMITS.max_fan_out})
    ]
    recursive: bool = True


class Resolved(Shape):
    application: str
    range: str
    version: str
    digest: Digest
    template_url: str
    dependencies: list[ResolveResult]
    path: Path | UnsetType = UNSET
    bundle_url: str | None = None
    bundle_digest: Digest | None = None
    template_path: TemplatePath = None


class Unresolved(Shape):
    application: str
    range: str
    error: ErrorDetail
    path: Path | UnsetType = UNSET


class ResolveResponse(Shape, forbid_unknown_fields=False):
    results: list[ResolveResult]
