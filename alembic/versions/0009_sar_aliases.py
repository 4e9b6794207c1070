"""sar_aliases: real SAR application ARNs served by apps of this registry

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

An alias maps (partition, account, name) of an AWS SAR ARN to ``namespace/name`` here, so
templates that name public SAR apps resolve against a mirror unchanged (``/sar`` and
``/v1/resolve``). The region is not part of the key: SAR serves one app under every region.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sar_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partition", sa.String(length=32), nullable=False),
        sa.Column("account", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=140), nullable=False),
        sa.Column("name_canonical", sa.String(length=140), nullable=False),
        sa.Column("target_namespace", sa.String(length=39), nullable=False),
        sa.Column("target_name", sa.String(length=140), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_aliases")),
        sa.UniqueConstraint(
            "partition",
            "account",
            "name_canonical",
            name=op.f("uq_sar_aliases_partition_account_name_canonical"),
        ),
    )


def downgrade() -> None:
    op.drop_table("sar_aliases")
