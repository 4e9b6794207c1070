"""version_tombstones: what each deleted version was, so it can come back only unchanged

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

Versions are immutable forever: deleting an app keeps one row per version (by name, since the
app row goes) with its template digest, bundle digest and template path; a later publish of
the same version is refused unless it brings exactly that content. Apps deleted before this
migration left nothing to keep.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "version_tombstones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("namespace", sa.String(length=39), nullable=False),
        sa.Column("app", sa.String(length=140), nullable=False),
        sa.Column("version", sa.String(length=256), nullable=False),
        sa.Column("digest", sa.String(length=71), nullable=False),
        sa.Column("bundle_digest", sa.String(length=71), nullable=True),
        sa.Column("template_path", sa.String(length=4096), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_version_tombstones")),
        sa.UniqueConstraint(
            "namespace", "app", "version", name=op.f("uq_version_tombstones_namespace_app_version")
        ),
    )


def downgrade() -> None:
    op.drop_table("version_tombstones")
