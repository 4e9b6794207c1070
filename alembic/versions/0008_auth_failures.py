"""Failed-authentication counts shared by every worker and replica

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-03

``registry.auth.ratelimit`` counts failures per (client address, token prefix) in a fixed
window; a table instead of each process's memory makes the limit hold across ``--workers`` and
replicas (Redis replaces it when ``NESTRY_REDIS_URL`` is set).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_failures",
        sa.Column("key", sa.String(120), primary_key=True),
        sa.Column("window_start", sa.Float(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
    )
    op.create_index("ix_auth_failures_window_start", "auth_failures", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_auth_failures_window_start", table_name="auth_failures")
    op.drop_table("auth_failures")
