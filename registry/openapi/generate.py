"""The OpenAPI 3.1 document, generated: components from the rooms' shapes (msgspec's JSON
Schema of each ``Shape``), operations from a table of ``Op`` (``registry.openapi.document``).

Nothing in the document is written twice: a request body's schema is the class
``parse_body`` validates with, a parameter's schema is the type its constraints are declared
on, and the 413/415 answers follow from whether an operation takes a body and how.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec

from registry.serving.shapes import COMPONENTS, Error, Shape, ref

Schema = dict[str, Any]
JSON = "application/json"

ERRORS = {
    "400": "invalid request (bad JSON, parameter, name or body field)",
    "401": "missing, unknown or expired token (reads too, when anonymous reads are off)",
    "403": "the token or its user lacks the role or scope this needs",
    "404": "no such app or version, or one the caller may not read",
    "409": "conflicts with the current state",
    "413": "request body too large",
    "415": "the body is not JSON",
    "422": "well-formed but unusable content (template, metadata, range, name)",
    "429": "too many failed authentications from this address (see Retry-After)",
    "503": "the database or the blob store does not answer (blob_store_unavailable: see "
    "Retry-After; nothing was stored)",
}
# Every operation may answer these: a token sent from an address with too many failed
# authentications, and a database that does not answer.
ALWAYS = ("429", "503")


@dataclass(frozen=True)
class Param:
    """A path or query parameter; its schema is msgspec's of ``type`` (constraints included)."""

    name: str
    where: Literal["path", "query"]
    description: str
    type: Any = str

    def spec(self) -> Schema:
        return {
            "name": self.name,
            "in": self.where,
            "required": self.where == "path",
            "description": self.description,
            "schema": msgspec.json.schema(self.type),
        }


@dataclass(frozen=True)
class Answer:
    """A JSON answer of ``shape``."""

    shape: type[Shape]
    description: str = "OK"


Reply = type[Shape] | Answer | Schema  # a Schema: a whole response object (bytes, redirects)


@dataclass(frozen=True)
class Op:
    """One operation. ``body``: a JSON body (``parse_body``'s shape), ``form``: a multipart
    one; either adds 413, and a ``json_only`` body 415. ``auth`` marks those needing a bearer
    token. ``service``: False for the one operation outside the API's error handling."""

    method: str
    path: str
    summary: str
    ok: Mapping[str, Reply]
    errors: tuple[str, ...] = ("400", "401", "404")
    params: tuple[Param, ...] = ()
    body: type[Shape] | None = None
    form: type[Shape] | None = None
    auth: bool = False
    tag: str = "apps"
    service: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)

    def shapes(self) -> Iterable[type[Shape]]:
        for reply in self.ok.values():
            if isinstance(reply, Answer):
                yield reply.shape
            elif isinstance(reply, type):
                yield reply
        yield from (s for s in (self.body, self.form) if s is not None)

    def spec(self) -> Schema:
        statuses = [*self.errors]
        if self.body is not None or self.form is not None:
            statuses.append("413")
        if self.body is not None and self.body.json_only:
            statuses.append("415")
        if self.service:
            statuses.extend(ALWAYS)
        errors = {s: _json(ERRORS[s], ref("Error")) for s in dict.fromkeys(statuses)}
        operation: Schema = {
            "summary": self.summary,
            "tags": [self.tag],
            "parameters": [p.spec() for p in self.params],
            "responses": {**{s: _reply(r) for s, r in self.ok.items()}, **errors},
            **self.extra,
        }
        if self.body is not None:
            media = {JSON: {"schema": ref(self.body.__name__)}}
            operation["requestBody"] = {"required": not self.body.may_be_empty, "content": media}
        if self.form is not None:
            media = {"multipart/form-data": {"schema": ref(self.form.__name__)}}
            operation["requestBody"] = {"required": True, "content": media}
        if self.auth:
            operation["security"] = [{"bearer": []}]
        return operation


def _json(description: str, schema: Schema) -> Schema:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _reply(reply: Reply) -> Schema:
    if isinstance(reply, Answer):
        return _json(reply.description, ref(reply.shape.__name__))
    if isinstance(reply, type):
        return _json("OK", ref(reply.__name__))
    return reply


def components(
    shapes: Iterable[type[Shape]], unions: Mapping[str, tuple[tuple[type[Shape], ...], str]]
) -> dict[str, Schema]:
    """The schemas of ``shapes`` and of everything they nest, plus each union
    (``name: (members, description)``, a ``oneOf`` that is not one Struct)."""
    wanted = list(dict.fromkeys([*shapes, *(m for members, _ in unions.values() for m in members)]))
    _, found = msgspec.json.schema_components(wanted, ref_template=COMPONENTS)
    for name, schema in found.items():
        if schema.get("title") == name:
            del schema["title"]  # the component's name says it
    for shape in wanted:
        if shape.at_least_one:
            found[shape.__name__]["minProperties"] = 1
    for name, (members, description) in unions.items():
        found[name] = {"oneOf": [ref(m.__name__) for m in members], "description": description}
    return dict(sorted(found.items()))


def document(
    info: Schema, ops: Iterable[Op], unions: Mapping[str, tuple[tuple[type[Shape], ...], str]]
) -> Schema:
    """The whole OpenAPI 3.1 document of ``ops``."""
    listed = list(ops)
    paths: dict[str, dict[str, Schema]] = {}
    for op in listed:
        assert op.method not in paths.get(op.path, {}), (op.method, op.path)
        paths.setdefault(op.path, {})[op.method] = op.spec()
    shapes: list[type[Shape]] = [Error, *(shape for op in listed for shape in op.shapes())]
    return {
        "openapi": "3.1.0",
        "info": info,
        "paths": paths,
        "components": {
            "schemas": components(shapes, unions),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
