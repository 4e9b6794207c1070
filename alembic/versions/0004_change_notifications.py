"""PostgreSQL: notify listeners when an app, its versions or its dist-tags change

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

Each registry worker keeps rendered documents in memory and listens on the channel
``nestry_changes`` (``registry.serving.change_feed``). These triggers send the changed app's id on
that
channel from the writing transaction itself, so a notice is delivered exactly when the change
commits (never for a rolled-back one) and whatever path wrote it: the API, the admin CLI or a
hand-written ``UPDATE``. PostgreSQL folds identical notices of one transaction into one.
Updates of nothing but the download counters notify no one: they come every few seconds for
every app in use, and would clear every worker's caches each time (documents show counts that
lag by a stated bound instead; see ``registry.documents.service``).
SQLite has no such mechanism: there processes share a generation file instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "nestry_changes"
# table -> the column holding the app id
_WATCHED = {"apps": "id", "versions": "app_id", "dist_tags": "app_id", "app_grants": "app_id"}

_FUNCTION = f"""
CREATE FUNCTION nestry_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
BEGIN
    PERFORM pg_notify('{CHANNEL}', (to_jsonb(changed) ->> TG_ARGV[0]));
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_FUNCTION)
    for table, column in _WATCHED.items():
        notify = f"EXECUTE FUNCTION nestry_notify_change('{column}')"
        op.execute(
            f"CREATE TRIGGER nestry_notify_{table} AFTER INSERT OR DELETE ON {table}"
            f" FOR EACH ROW {notify}"
        )
        op.execute(
            f"CREATE TRIGGER nestry_notify_{table}_update AFTER UPDATE ON {table} FOR EACH ROW"
            " WHEN ((to_jsonb(OLD) - 'downloads') IS DISTINCT FROM (to_jsonb(NEW) - 'downloads'))"
            f" {notify}"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _WATCHED:
        op.execute(f"DROP TRIGGER nestry_notify_{table} ON {table}")
        op.execute(f"DROP TRIGGER nestry_notify_{table}_update ON {table}")
    op.execute("DROP FUNCTION nestry_notify_change()")
