"""versions.template_path: where a version's template sits inside its bundle

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

Versions published before the column existed keep NULL: their template is at the bundle root,
which is where every earlier publish put it for install.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.add_column(sa.Column("template_path", sa.String(length=4096), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.drop_column("template_path")
