"""versions.held_back: published under another dist-tag, so ``latest`` does not follow it

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

A version published with ``--tag next`` (npm's ``publish --tag``) must not become ``latest``
when a later yank, unyank or dropped explicit ``latest`` recomputes it
(``registry.lifecycle.dist_tags``). Versions published before the column existed were all
``latest``-eligible: they keep false.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.add_column(
            sa.Column("held_back", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.drop_column("held_back")
