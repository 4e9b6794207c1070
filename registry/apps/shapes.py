"""Bodies and answers of ``/v1/apps/{ns}/{name}`` (PATCH, DELETE) and its dependents."""

from __future__ import annotations

from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from client.template.metadata import LABEL_RE, MAX_LABELS
from registry.serving.shapes import Refusal, Shape, Visibility, anchored

URL_MAX = 1024
DESCRIPTION_MAX = 16_384
Label = Annotated[str, Meta(pattern=anchored(LABEL_RE.pattern), description="1-127 characters")]
_METADATA = (422, "invalid_metadata")


class AppPatch(Shape):
    """The fields to change (at least one); null clears description or home page."""

    refusal = Refusal(
        "invalid_patch",
        422,
        fields={
            "visibility": (422, "invalid_visibility"),
            "labels": _METADATA,
            "description": _METADATA,
            "home_page_url": _METADATA,
        },
        not_an_object=(422, "invalid_patch"),
    )
    json_only = True
    at_least_one = True

    description: Annotated[str, Meta(max_length=DESCRIPTION_MAX)] | UnsetType | None = UNSET
    labels: Annotated[list[Label], Meta(max_length=MAX_LABELS)] | UnsetType = UNSET
    home_page_url: Annotated[str, Meta(max_length=URL_MAX)] | UnsetType | None = UNSET
    visibility: Visibility | UnsetType = UNSET


class AppDeleted(Shape):
    deleted: str
    versions: list[str]


class Dependent(Shape):
    application: str
    version: str
    logical_id: str
    range: str


class Dependents(Shape, forbid_unknown_fields=False):
    dependents: list[Dependent]
    next_cursor: str | None
