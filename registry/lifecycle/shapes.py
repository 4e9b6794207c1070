"""Bodies and answers of the lifecycle writes: dist-tags, yank/unyank, deprecate."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from registry.documents.shapes import VersionSummary
from registry.serving.shapes import Shape

MAX_MESSAGE = 1024
Message = Annotated[str, Meta(max_length=MAX_MESSAGE)]


class DistTagBody(Shape):
    version: Annotated[str, Meta(description="an exact version of the app (else 422)")]


class YankBody(Shape):
    may_be_empty = True
    reason: Message | None = None


class UnyankBody(Shape):
    """No fields: an empty body, or ``{}``."""

    may_be_empty = True


class DeprecateBody(Shape):
    message: Annotated[Message | None, Meta(description="empty, blank or null un-deprecates")] = (
        None
    )


class DistTags(Shape, forbid_unknown_fields=False):
    dist_tags: dict[str, str]


class VersionStatus(VersionSummary):
    """A version's state after a lifecycle write (every field present)."""

    application: str
