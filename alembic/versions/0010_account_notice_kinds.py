"""PostgreSQL: account-table notices name their kind (``user:<id>``, ``token:<id>``, ...)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

0006 sent the ids of changed users, namespaces and tokens on ``nestry_changes`` bare, like
app ids, so listeners could not tell them apart and the principal cache dropped everything on
every notice (a publish too). These triggers send ``<kind>:<id>`` instead: ``user`` for users
and memberships, ``token`` for tokens and their namespaces, ``namespace`` for namespaces; each
cache then drops only what a notice names (``registry.serving.change_feed``). App notices
(0004) stay bare ids.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "nestry_changes"
# table -> (kind, column holding the id of the row's owner)
_WATCHED = {
    "users": ("user", "id"),
    "namespaces": ("namespace", "id"),
    "memberships": ("user", "user_id"),
    "tokens": ("token", "id"),
    "token_namespaces": ("token", "token_id"),
}

_FUNCTION = f"""
CREATE FUNCTION nestry_notify_owner_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
BEGIN
    PERFORM pg_notify('{CHANNEL}', TG_ARGV[0] || ':' || (to_jsonb(changed) ->> TG_ARGV[1]));
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_FUNCTION)
    for table, (kind, column) in _WATCHED.items():
        op.execute(f"DROP TRIGGER nestry_notify_{table} ON {table}")
        op.execute(
            f"CREATE TRIGGER nestry_notify_{table} AFTER INSERT OR UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION nestry_notify_owner_change('{kind}', '{column}')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, (_kind, column) in _WATCHED.items():
        op.execute(f"DROP TRIGGER nestry_notify_{table} ON {table}")
        op.execute(
            f"CREATE TRIGGER nestry_notify_{table} AFTER INSERT OR UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION nestry_notify_change('{column}')"
        )
    op.execute("DROP FUNCTION nestry_notify_owner_change()")
