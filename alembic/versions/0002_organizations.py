"""organizations: namespace kinds, roles, sharing grants, audit log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Memberships created before roles existed ("member") came from publish tokens or read tokens;
they become ``publisher`` (what such a member could do before), except where every token of
the user on that namespace is a read token (then ``reader``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_READ_ONLY_MEMBERS = """
UPDATE memberships SET role = 'reader'
WHERE role = 'member' AND NOT EXISTS (
    SELECT 1 FROM tokens JOIN token_namespaces ON token_namespaces.token_id = tokens.id
    WHERE tokens.user_id = memberships.user_id
      AND token_namespaces.namespace_id = memberships.namespace_id
      AND tokens.scope <> 'read')
"""


def upgrade() -> None:
    with op.batch_alter_table("namespaces") as batch:
        kind = sa.Column("kind", sa.String(length=10), nullable=False, server_default="user")
        batch.add_column(kind)
        batch.add_column(sa.Column("default_visibility", sa.String(length=10), nullable=True))
    with op.batch_alter_table("namespaces") as batch:
        batch.alter_column("kind", server_default=None)
    op.execute(_READ_ONLY_MEMBERS)
    op.execute("UPDATE memberships SET role = 'publisher' WHERE role = 'member'")
    op.create_table(
        "app_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("grantee_namespace_id", sa.Integer(), nullable=True),
        sa.Column("grantee_user_id", sa.Integer(), nullable=True),
        sa.Column("nest", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"], ["apps.id"], name=op.f("fk_app_grants_app_id_apps"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["grantee_namespace_id"],
            ["namespaces.id"],
            name=op.f("fk_app_grants_grantee_namespace_id_namespaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["grantee_user_id"],
            ["users.id"],
            name=op.f("fk_app_grants_grantee_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_grants")),
    )
    for column in ("app_id", "grantee_namespace_id", "grantee_user_id"):
        op.create_index(op.f(f"ix_app_grants_{column}"), "app_grants", [column], unique=False)
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("namespace", sa.String(length=39), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(
        "ix_audit_events_namespace_id", "audit_events", ["namespace", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_namespace_id", table_name="audit_events")
    op.drop_table("audit_events")
    for column in ("grantee_user_id", "grantee_namespace_id", "app_id"):
        op.drop_index(op.f(f"ix_app_grants_{column}"), table_name="app_grants")
    op.drop_table("app_grants")
    op.execute("UPDATE memberships SET role = 'member'")
    with op.batch_alter_table("namespaces") as batch:
        batch.drop_column("default_visibility")
        batch.drop_column("kind")
