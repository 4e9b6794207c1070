"""apps: btree indexes on (downloads, id) and (updated_at, id) for search's sort orders

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

``registry.search.query`` orders by downloads or update time (descending, ties by id descending) and
pages with the row comparison ``(key, id) < (last key, last id)``. These indexes, walked
backwards, give PostgreSQL (and SQLite) the rows in that order from the cursor on, so a page
stops after its ``limit + 1`` rows instead of sorting every match; relevance on PostgreSQL
takes its bounded candidate set from the downloads one. Both databases get both indexes.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = {
    "ix_apps_downloads_id": ["downloads", "id"],
    "ix_apps_updated_at_id": ["updated_at", "id"],
}


def upgrade() -> None:
    for name, columns in _INDEXES.items():
        op.create_index(name, "apps", columns)


def downgrade() -> None:
    for name in _INDEXES:
        op.drop_index(name, table_name="apps")
