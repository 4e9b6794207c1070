"""Bodies and answers of organizations: namespaces, members, sharing policies, audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from msgspec import UNSET, Meta, UnsetType

from registry.auth.permissions import Role
from registry.serving.shapes import Json, NamespaceName, Refusal, Shape, Visibility

MAX_GRANTS = 200
Kind = Literal["org", "user"]


class NamespaceCreate(Shape):
    refusal = Refusal(
        fields={
            "name": (422, "invalid_name"),
            "kind": (422, "invalid_kind"),
            "default_visibility": (422, "invalid_visibility"),
        }
    )

    name: NamespaceName
    kind: Kind = "org"
    default_visibility: Visibility = "private"


class NamespacePatch(Shape):
    default_visibility: Visibility


class Namespace(Shape, forbid_unknown_fields=False):
    namespace: str
    kind: Kind
    default_visibility: Visibility | None
    role: Role | None


class Membership(Shape):
    namespace: str
    kind: Kind
    default_visibility: Visibility | None
    role: Role
    covered: Annotated[bool, Meta(description="whether the calling token may act there")]


class NamespaceList(Shape, forbid_unknown_fields=False):
    """``GET /v1/namespaces``: the caller's user's memberships (not only the token's)."""

    user: str
    namespaces: list[Membership]


class MemberBody(Shape):
    refusal = Refusal(fields={"role": (422, "invalid_role")})

    role: Role


class Member(Shape):
    user: str
    role: Role


class Members(Shape, forbid_unknown_fields=False):
    namespace: str
    members: list[Member]


class Grant(Shape):
    """Read access for one namespace or one user; ``nest`` (namespaces only) also lets apps
    published there reference this one."""

    namespace: str | UnsetType = UNSET
    user: str | UnsetType = UNSET
    nest: bool = False


_ONE_GRANTEE: dict[str, Any] = {
    "oneOf": [
        {"required": ["namespace"]},
        {"required": ["user"], "properties": {"nest": {"const": False}}},
    ]
}
GrantItem = Annotated[Grant, Meta(extra_json_schema=_ONE_GRANTEE)]


class PolicyBody(Shape):
    """The visibility, the grants (replacing all of them), or both."""

    refusal = Refusal("invalid_policy", 422, fields={"visibility": (422, "invalid_visibility")})
    at_least_one = True

    visibility: Visibility | None = None
    grants: Annotated[list[GrantItem], Meta(max_length=MAX_GRANTS)] | None = None


class Policy(Shape, forbid_unknown_fields=False):
    application: str
    visibility: Visibility
    grants: list[GrantItem]


class AuditEvent(Shape, forbid_unknown_fields=False):
    id: int
    at: datetime
    actor: str | None
    action: str
    target: str
    details: Json
    address: str | None


class AuditLog(Shape, forbid_unknown_fields=False):
    namespace: str
    events: list[AuditEvent]
    next_before: int | None
