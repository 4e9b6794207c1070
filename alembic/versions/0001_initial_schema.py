"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "namespaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=39), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_namespaces")),
        sa.UniqueConstraint("name", name=op.f("uq_namespaces_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "apps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("namespace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=140), nullable=False),
        sa.Column("name_canonical", sa.String(length=140), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("author", sa.String(length=256), nullable=True),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("home_page_url", sa.String(length=1024), nullable=True),
        sa.Column("source_code_url", sa.String(length=1024), nullable=True),
        sa.Column("spdx_license_id", sa.String(length=100), nullable=True),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("downloads", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["namespace_id"],
            ["namespaces.id"],
            name=op.f("fk_apps_namespace_id_namespaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apps")),
        sa.UniqueConstraint(
            "namespace_id", "name_canonical", name=op.f("uq_apps_namespace_id_name_canonical")
        ),
    )
    op.create_table(
        "memberships",
        sa.Column("namespace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["namespace_id"],
            ["namespaces.id"],
            name=op.f("fk_memberships_namespace_id_namespaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("namespace_id", "user_id", name=op.f("pk_memberships")),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("display_prefix", sa.String(length=12), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_tokens_token_hash")),
    )
    op.create_index(op.f("ix_tokens_user_id"), "tokens", ["user_id"], unique=False)

    op.create_table(
        "token_namespaces",
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("namespace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["namespace_id"],
            ["namespaces.id"],
            name=op.f("fk_token_namespaces_namespace_id_namespaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["tokens.id"],
            name=op.f("fk_token_namespaces_token_id_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_id", "namespace_id", name=op.f("pk_token_namespaces")),
    )
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=256), nullable=False),
        sa.Column("major", sa.BigInteger(), nullable=False),
        sa.Column("minor", sa.BigInteger(), nullable=False),
        sa.Column("patch", sa.BigInteger(), nullable=False),
        sa.Column("prerelease", sa.String(length=256), nullable=True),
        sa.Column("digest", sa.String(length=71), nullable=False),
        sa.Column("template_size", sa.Integer(), nullable=False),
        sa.Column("bundle_digest", sa.String(length=71), nullable=True),
        sa.Column("bundle_size", sa.Integer(), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("outputs", sa.JSON(), nullable=False),
        sa.Column("capabilities", sa.JSON(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("readme", sa.Text(), nullable=True),
        sa.Column("license", sa.Text(), nullable=True),
        sa.Column("yanked", sa.Boolean(), nullable=False),
        sa.Column("yanked_reason", sa.Text(), nullable=True),
        sa.Column("deprecated", sa.Text(), nullable=True),
        sa.Column("downloads", sa.BigInteger(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("publisher_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["app_id"], ["apps.id"], name=op.f("fk_versions_app_id_apps"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["publisher_id"],
            ["users.id"],
            name=op.f("fk_versions_publisher_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_versions")),
        sa.UniqueConstraint("app_id", "version", name=op.f("uq_versions_app_id_version")),
    )
    op.create_index(
        "ix_versions_app_id_order", "versions", ["app_id", "major", "minor", "patch"], unique=False
    )

    op.create_table(
        "dependencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("logical_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target_app", sa.String(length=180), nullable=True),
        sa.Column("external_id", sa.String(length=1024), nullable=True),
        sa.Column("range", sa.String(length=256), nullable=True),
        sa.Column("location", sa.String(length=1024), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["versions.id"],
            name=op.f("fk_dependencies_version_id_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dependencies")),
    )
    op.create_index(
        op.f("ix_dependencies_target_app"), "dependencies", ["target_app"], unique=False
    )
    op.create_index(
        op.f("ix_dependencies_version_id"), "dependencies", ["version_id"], unique=False
    )

    op.create_table(
        "dist_tags",
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=214), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("explicit", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"], ["apps.id"], name=op.f("fk_dist_tags_app_id_apps"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["versions.id"],
            name=op.f("fk_dist_tags_version_id_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("app_id", "tag", name=op.f("pk_dist_tags")),
    )
    _create_search_objects()


def downgrade() -> None:
    _drop_search_objects()
    op.drop_table("dist_tags")
    op.drop_index(op.f("ix_dependencies_version_id"), table_name="dependencies")
    op.drop_index(op.f("ix_dependencies_target_app"), table_name="dependencies")

    op.drop_table("dependencies")
    op.drop_index("ix_versions_app_id_order", table_name="versions")

    op.drop_table("versions")
    op.drop_table("token_namespaces")
    op.drop_index(op.f("ix_tokens_user_id"), table_name="tokens")

    op.drop_table("tokens")
    op.drop_table("memberships")
    op.drop_table("apps")
    op.drop_table("users")
    op.drop_table("namespaces")


def _create_search_objects() -> None:
    """Full-text search, per dialect (see the comment at the top of registry/db/models.py)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE apps ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''")
        op.execute("CREATE INDEX ix_apps_search_vector ON apps USING gin (search_vector)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE apps_fts USING fts5("
            "name, description, labels, author, readme, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )


def _drop_search_objects() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_apps_search_vector")
        op.execute("ALTER TABLE apps DROP COLUMN search_vector")
    else:
        op.execute("DROP TABLE apps_fts")
