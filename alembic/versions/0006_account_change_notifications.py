"""PostgreSQL: notify listeners when users, namespaces, memberships or tokens change

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

Workers cache authenticated principals (a token's user, roles and namespaces). With these
triggers on the ``nestry_changes`` channel (migration 0004's function), a revoked token or a
changed role stops acting in every worker and replica as soon as the change commits, instead
of after the cache's time bound (which still applies while a worker's listener is down).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> a column to send as the payload (listeners clear what they hold whatever it says)
_WATCHED = {
    "users": "id",
    "namespaces": "id",
    "memberships": "user_id",
    "tokens": "id",
    "token_namespaces": "token_id",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in _WATCHED.items():
        op.execute(
            f"CREATE TRIGGER nestry_notify_{table} AFTER INSERT OR UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION nestry_notify_change('{column}')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _WATCHED:
        op.execute(f"DROP TRIGGER nestry_notify_{table} ON {table}")
