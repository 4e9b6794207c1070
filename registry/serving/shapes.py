"""The JSON API's shapes: the base every request and response shape derives from, how a body
that does not fit its shape is refused, and the shapes every room shares (the error envelope,
names, digests, counts).

Each room declares its own bodies and answers as ``Shape`` subclasses (``registry/*/shapes.py``);
``registry.serving.bodies.parse_body`` validates a request body from its declaration, and
``registry.openapi`` generates the OpenAPI document's schemas from the same classes, so a
constraint the server enforces is the constraint the spec states.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

import msgspec
from msgspec import Meta

from client.names import APP_NAME_RE, MAX_VERSION_LENGTH, NAMESPACE_RE

COMPONENTS = "#/components/schemas/{name}"


def anchored(pattern: str) -> str:
    """A JSON Schema ``pattern`` (searched, not matched) that must match the whole value."""
    return f"^(?:{pattern})$"


NamespaceName = Annotated[
    str, Meta(pattern=anchored(NAMESPACE_RE.pattern), description="namespace (any ASCII case)")
]
AppName = Annotated[
    str, Meta(pattern=anchored(APP_NAME_RE.pattern), description="application name")
]
Version = Annotated[
    str, Meta(min_length=1, max_length=MAX_VERSION_LENGTH, description="SemVer 2.0.0 version")
]
Digest = Annotated[str, Meta(pattern=r"^sha256:[0-9a-f]{64}$")]
Count = Annotated[int, Meta(ge=0)]
Visibility = Literal["public", "private"]
Json = dict[str, Any]
ErrorCode = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]*$")]


def ref(name: str) -> dict[str, Any]:
    """A ``$ref`` to the component ``name``: in ``Meta(extra_json_schema=...)`` on ``Any``, a
    component that is not one Struct (a ``oneOf``, ``registry.openapi.document.UNIONS``)."""
    return {"$ref": COMPONENTS.format(name=name)}


@dataclass(frozen=True)
class Refusal:
    """How a body that does not fit its shape is answered: 4xx ``code`` (``status``), or, for a
    problem under one top-level field named in ``fields``, that field's ``(status, code)``.
    A body that is not a JSON object at all answers ``not_an_object``."""

    code: str = "invalid_request"
    status: int = 400
    fields: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    not_an_object: tuple[int, str] = (400, "invalid_json")


class Shape(msgspec.Struct, forbid_unknown_fields=True):
    """A JSON object with exactly the declared fields (``additionalProperties: false``).

    As a request body (``parse_body``), the class variables say how it is taken: ``refusal``,
    ``json_only`` (anything but ``application/json`` is 415), ``may_be_empty`` (an empty body
    is ``{}``) and ``at_least_one`` (``{}`` is refused: ``minProperties: 1``).
    """

    refusal: ClassVar[Refusal] = Refusal()
    json_only: ClassVar[bool] = False
    may_be_empty: ClassVar[bool] = False
    at_least_one: ClassVar[bool] = False


class ErrorDetail(Shape, forbid_unknown_fields=False):
    code: ErrorCode
    message: str


class Error(Shape, forbid_unknown_fields=False):
    """Every 4xx and 5xx answer of the JSON API."""

    error: ErrorDetail


class Health(Shape, forbid_unknown_fields=False):
    status: Literal["ok"]
