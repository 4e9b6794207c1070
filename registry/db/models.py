"""The registry's tables. The schema is created only by the Alembic migrations in ``alembic/``.

Search documents — how they stay current
----------------------------------------
One search document per app, rebuilt by ``registry.search.index.refresh(session,
app_id)`` inside every write transaction that changes an app's searchable text (publish, PATCH;
call it too after anything else that changes name/description/labels/author/readme). The text
indexed is the app's display name, description, labels (space separated), author, and the readme
of the version ``latest`` points at (else the newest version).
- SQLite: FTS5 table ``apps_fts(name, description, labels, author, readme)`` whose ``rowid`` is
  ``apps.id`` (tokenizer ``unicode61 remove_diacritics 2``). Query:
  ``SELECT rowid, bm25(apps_fts, 10.0, 5.0, 5.0, 2.0, 1.0) AS rank FROM apps_fts
  WHERE apps_fts MATCH :q`` (lower rank = better).
- PostgreSQL: column ``apps.search_vector tsvector`` with GIN index ``ix_apps_search_vector``,
  weighted A name, B description + labels, C author, D readme, config ``simple``. Query:
  ``apps.search_vector @@ websearch_to_tsquery('simple', :q)`` ranked by
  ``ts_rank(apps.search_vector, websearch_to_tsquery('simple', :q))``.
Neither is mapped here (dialect-specific; excluded from ``alembic check``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: sa.DateTime(timezone=True),
        dict[str, Any]: sa.JSON(),
        list[Any]: sa.JSON(),
    }


def _fk(target: str) -> sa.ForeignKey:
    return sa.ForeignKey(target, ondelete="CASCADE")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Namespace(Base):
    """Owned by a user or an organization (``kind``); owners are memberships with role owner.

    ``default_visibility`` of apps first published here; NULL: the registry's setting.
    """

    __tablename__ = "namespaces"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(39), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(10), default="user")
    default_visibility: Mapped[str | None] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(Base):
    """A user's role in a namespace: owner, publisher or reader (``registry.auth.permissions``)."""

    __tablename__ = "memberships"
    namespace_id: Mapped[int] = mapped_column(_fk("namespaces.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(_fk("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(20), default="reader")


class Token(Base):
    """An API token; only the sha256 of the secret is kept. ``scope``: read, publish or admin."""

    __tablename__ = "tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(_fk("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_prefix: Mapped[str] = mapped_column(sa.String(12))
    scope: Mapped[str] = mapped_column(sa.String(10))
    description: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class TokenNamespace(Base):
    __tablename__ = "token_namespaces"
    token_id: Mapped[int] = mapped_column(_fk("tokens.id"), primary_key=True)
    namespace_id: Mapped[int] = mapped_column(_fk("namespaces.id"), primary_key=True)


class App(Base):
    __tablename__ = "apps"
    __table_args__ = (
        sa.UniqueConstraint("namespace_id", "name_canonical"),
        # Search's sort orders, walked backwards (alembic 0005, ``registry.search.query``).
        sa.Index("ix_apps_downloads_id", "downloads", "id"),
        sa.Index("ix_apps_updated_at_id", "updated_at", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    namespace_id: Mapped[int] = mapped_column(_fk("namespaces.id"))
    name: Mapped[str] = mapped_column(sa.String(140))
    name_canonical: Mapped[str] = mapped_column(sa.String(140))
    description: Mapped[str | None] = mapped_column(sa.Text)
    author: Mapped[str | None] = mapped_column(sa.String(256))
    labels: Mapped[list[Any]] = mapped_column(default=list)
    home_page_url: Mapped[str | None] = mapped_column(sa.String(1024))
    source_code_url: Mapped[str | None] = mapped_column(sa.String(1024))
    spdx_license_id: Mapped[str | None] = mapped_column(sa.String(100))
    visibility: Mapped[str] = mapped_column(sa.String(10), default="public")
    downloads: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AppGrant(Base):
    """A sharing policy entry of an app: read (and ``nest``) for a namespace or a user."""

    __tablename__ = "app_grants"
    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(_fk("apps.id"), index=True)
    grantee_namespace_id: Mapped[int | None] = mapped_column(_fk("namespaces.id"), index=True)
    grantee_user_id: Mapped[int | None] = mapped_column(_fk("users.id"), index=True)
    nest: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """One write, kept by name (not foreign key) so the log outlives what it mentions."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_namespace_id", "namespace", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str | None] = mapped_column(sa.String(100))
    namespace: Mapped[str | None] = mapped_column(sa.String(39))
    action: Mapped[str] = mapped_column(sa.String(40))
    target: Mapped[str] = mapped_column(sa.String(300))
    details: Mapped[dict[str, Any]]
    address: Mapped[str | None] = mapped_column(sa.String(64))


class Version(Base):
    __tablename__ = "versions"
    __table_args__ = (
        sa.UniqueConstraint("app_id", "version"),
        sa.Index("ix_versions_app_id_order", "app_id", "major", "minor", "patch"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(_fk("apps.id"))
    version: Mapped[str] = mapped_column(sa.String(256))
    major: Mapped[int] = mapped_column(sa.BigInteger)
    minor: Mapped[int] = mapped_column(sa.BigInteger)
    patch: Mapped[int] = mapped_column(sa.BigInteger)
    prerelease: Mapped[str | None] = mapped_column(sa.String(256))  # NULL for releases
    digest: Mapped[str] = mapped_column(sa.String(71))  # "sha256:<hex>" of the template
    template_size: Mapped[int]
    bundle_digest: Mapped[str | None] = mapped_column(sa.String(71))
    bundle_size: Mapped[int | None]
    # Where the template sits inside the bundle, normalised as published (NULL: the root).
    template_path: Mapped[str | None] = mapped_column(sa.String(4096))
    parameters: Mapped[dict[str, Any]]
    outputs: Mapped[dict[str, Any]]
    capabilities: Mapped[list[Any]]
    app_metadata: Mapped[dict[str, Any]] = mapped_column("metadata")
    readme: Mapped[str | None] = mapped_column(sa.Text)
    license: Mapped[str | None] = mapped_column(sa.Text)
    yanked: Mapped[bool] = mapped_column(default=False)
    yanked_reason: Mapped[str | None] = mapped_column(sa.Text)
    deprecated: Mapped[str | None] = mapped_column(sa.Text)
    # Published under another dist-tag and never made ``latest``: ``latest`` does not follow it
    # (``registry.lifecycle.dist_tags``).
    held_back: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    downloads: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    publisher_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class DistTag(Base):
    """``explicit`` is False while the tag follows the highest release (only ``latest`` does)."""

    __tablename__ = "dist_tags"
    app_id: Mapped[int] = mapped_column(_fk("apps.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(sa.String(214), primary_key=True)
    version_id: Mapped[int] = mapped_column(_fk("versions.id"))
    explicit: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Dependency(Base):
    """One nested application reference of a version.

    ``kind``: registry | sar | local | url. ``target_app`` is the canonical ``ns/name`` for
    references served by this registry (indexed: dependents), ``external_id`` the full id of
    anything elsewhere (another registry's ``host/ns/name`` or a SAR ARN).
    """

    __tablename__ = "dependencies"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(_fk("versions.id"), index=True)
    logical_id: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[str] = mapped_column(sa.String(10))
    target_app: Mapped[str | None] = mapped_column(sa.String(180), index=True)
    external_id: Mapped[str | None] = mapped_column(sa.String(1024))
    range: Mapped[str | None] = mapped_column(sa.String(256))
    location: Mapped[str | None] = mapped_column(sa.String(1024))


class AuthFailure(Base):
    """Failed authentications of one (client address, token prefix) in the window that began at
    ``window_start`` (epoch seconds): ``registry.auth.ratelimit``'s count, shared by every worker
    and replica."""

    __tablename__ = "auth_failures"
    key: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    window_start: Mapped[float] = mapped_column(sa.Float, index=True)
    failures: Mapped[int]


class VersionTombstone(Base):
    """What a deleted version was, kept forever by name (the app row is gone): publishing the
    same ``namespace/app@version`` again is accepted only with the same content (template
    digest, bundle digest, template path), so no lockfile pinning it ever stops verifying."""

    __tablename__ = "version_tombstones"
    __table_args__ = (sa.UniqueConstraint("namespace", "app", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    namespace: Mapped[str] = mapped_column(sa.String(39))
    app: Mapped[str] = mapped_column(sa.String(140))  # the canonical (lowercase) name
    version: Mapped[str] = mapped_column(sa.String(256))
    digest: Mapped[str] = mapped_column(sa.String(71))
    bundle_digest: Mapped[str | None] = mapped_column(sa.String(71))
    template_path: Mapped[str | None] = mapped_column(sa.String(4096))
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow)


class SarAlias(Base):
    """A real SAR application ARN (partition, account, name) served by ``namespace/name`` here.

    Kept by name, not foreign key: an alias may be added before the mirrored app is published,
    and outlives its deletion (it then resolves to nothing, like any missing app).
    """

    __tablename__ = "sar_aliases"
    __table_args__ = (sa.UniqueConstraint("partition", "account", "name_canonical"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partition: Mapped[str] = mapped_column(sa.String(32))
    account: Mapped[str] = mapped_column(sa.String(12))
    name: Mapped[str] = mapped_column(sa.String(140))
    name_canonical: Mapped[str] = mapped_column(sa.String(140))
    target_namespace: Mapped[str] = mapped_column(sa.String(39))
    target_name: Mapped[str] = mapped_column(sa.String(140))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
