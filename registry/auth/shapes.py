"""Bodies and answers of ``/v1/tokens`` and ``/v1/whoami``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import UNSET, Meta, UnsetType, field

from registry.auth.permissions import Action as Scope
from registry.serving.shapes import NamespaceName, Refusal, Shape
from registry.settings import DEFAULT_TOKEN_MAX_DAYS

MAX_DESCRIPTION = 200
MAX_USER_NAME = 100  # users.name


class TokenCreate(Shape):
    refusal = Refusal("invalid_token_request", 422)

    scope: Scope = "read"
    namespaces: list[NamespaceName] = field(default_factory=list)
    expires_in_days: (
        Annotated[
            int,
            Meta(
                ge=1,
                # The registry's NESTRY_TOKEN_MAX_DAYS caps it (422 past it); the spec states
                # the default, which a client that follows it never passes.
                extra_json_schema={"maximum": DEFAULT_TOKEN_MAX_DAYS},
                description="days until it expires: 1 to the registry's NESTRY_TOKEN_MAX_DAYS "
                f"(default {DEFAULT_TOKEN_MAX_DAYS}); omitted: never (or with the calling token)",
            ),
        ]
        | None
    ) = None
    description: Annotated[str, Meta(max_length=MAX_DESCRIPTION)] | None = None
    user: (
        Annotated[
            str,
            Meta(
                min_length=1,
                max_length=MAX_USER_NAME,
                description="a member's user name: an owner of every named namespace mints the "
                "token for that member (namespaces required; the member's role there must allow "
                "the scope); omitted: a token of the caller's own user",
            ),
        ]
        | None
    ) = None


class Token(Shape):
    id: int
    prefix: str
    scope: Scope
    namespaces: list[str]
    description: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    token: Annotated[str, Meta(description="the secret; only in the 201 answer")] | UnsetType = (
        UNSET
    )


class Tokens(Shape, forbid_unknown_fields=False):
    tokens: list[Token]


class Whoami(Shape):
    user: str
    admin: bool
    scope: Scope
    namespaces: list[str]
    expires_at: datetime | None
