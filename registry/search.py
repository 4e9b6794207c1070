"""Search over apps: full text (SQLite FTS5 / PostgreSQL tsvector), filters, keyset pages.

User text never reaches the full-text syntax: it is cut into letter/digit words, each matched
as a prefix (``"word"*`` in FTS5, ``word:*`` in tsquery), all of them required. So quotes,
``*``, ``NEAR``, ``-`` or ``:`` in ``q`` are just separators.

Pages are keyset-paginated on (sort key, app id): the cursor carries the last row's key and id,
so no row is repeated or skipped while the data does not change. Relevance scores move when
the corpus changes (bm25 and ts_rank depend on it); a cursor then still never repeats a row
already past the key, but a row whose score rose past it is not shown again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from registry.access import readable_apps
from registry.auth import Principal, as_utc
from registry.db.models import App, DistTag, Namespace, Version

SORTS = ("relevance", "downloads", "name", "updated")
MAX_TERMS = 16
_WORD = re.compile(r"[^\W_]+")
_BM25 = "bm25(apps_fts, 10.0, 5.0, 5.0, 2.0, 1.0)"


@dataclass(frozen=True)
class Query:
    """A validated search; ``after`` is the (key, id) of the last row already shown."""

    terms: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    namespace: str | None = None
    sort: str = "downloads"
    limit: int = 20
    after: tuple[Any, int] | None = None


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    last_key: tuple[Any, int] | None  # set when more rows may follow


def terms_of(q: str) -> tuple[str, ...]:
    """The words of ``q`` (lowercased), at most ``MAX_TERMS``; punctuation is dropped."""
    return tuple(w.lower() for w in _WORD.findall(q))[:MAX_TERMS]


def fts5_query(terms: tuple[str, ...]) -> str:
    return " ".join(f'"{t}"*' for t in terms)


def tsquery(terms: tuple[str, ...]) -> str:
    return " & ".join(f"{t}:*" for t in terms)


async def search(session: AsyncSession, query: Query, principal: Principal) -> Page:
    """One page of apps the principal may read, in ``query.sort`` order."""
    dialect = session.get_bind().dialect.name
    stmt, score = _statement(dialect, query)
    key, descending = _sort_key(query.sort, score, dialect)
    stmt = stmt.add_columns(key.label("sort_key")).where(readable_apps(principal))
    if query.after is not None:
        after_key, after_id = query.after
        beyond = key < after_key if descending else key > after_key
        stmt = stmt.where(sa.or_(beyond, sa.and_(key == after_key, App.id > after_id)))
    stmt = stmt.order_by(key.desc() if descending else key.asc(), App.id.asc())
    rows = [dict(row._mapping) for row in (await session.execute(stmt.limit(query.limit + 1)))]
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    last = (rows[-1]["sort_key"], rows[-1]["id"]) if more else None
    return Page([_summary(r) for r in rows], last)


def _statement(dialect: str, query: Query) -> tuple[sa.Select[Any], sa.ColumnElement[Any] | None]:
    latest = aliased(Version)
    tag = aliased(DistTag)
    stmt = (
        sa.select(
            App.id,
            Namespace.name.label("namespace"),
            App.name,
            App.description,
            App.labels,
            App.downloads,
            App.updated_at,
            latest.version.label("latest"),
        )
        .join(Namespace, Namespace.id == App.namespace_id)
        .outerjoin(tag, sa.and_(tag.app_id == App.id, tag.tag == "latest"))
        .outerjoin(latest, latest.id == tag.version_id)
    )
    score: sa.ColumnElement[Any] | None = None
    if query.terms:
        stmt, score = _match(stmt, dialect, query.terms)
    for label in query.labels:
        stmt = stmt.where(_has_label(dialect, label))
    if query.namespace is not None:
        stmt = stmt.where(Namespace.name == query.namespace)
    return stmt, score


def _match(
    stmt: sa.Select[Any], dialect: str, terms: tuple[str, ...]
) -> tuple[sa.Select[Any], sa.ColumnElement[Any]]:
    """Restrict to matching apps; the score is lower-is-better on both databases."""
    if dialect == "sqlite":
        fts = (
            sa.select(
                sa.literal_column("rowid").label("app_id"),
                sa.literal_column(_BM25).label("score"),
            )
            .select_from(sa.table("apps_fts"))
            .where(sa.text("apps_fts MATCH :fts").bindparams(fts=fts5_query(terms)))
            .subquery()
        )
        return stmt.join(fts, fts.c.app_id == App.id), fts.c.score
    vector: sa.ColumnClause[Any] = sa.literal_column("apps.search_vector")
    config: sa.ColumnClause[Any] = sa.literal_column("'simple'::regconfig")
    ts = sa.func.to_tsquery(config, sa.cast(sa.literal(tsquery(terms)), sa.Text))
    rank = sa.cast(sa.func.ts_rank(vector, ts), sa.Float(precision=53))
    return stmt.where(vector.op("@@")(ts)), -rank


def _has_label(dialect: str, label: str) -> sa.ColumnElement[bool]:
    each = "json_each" if dialect == "sqlite" else "json_array_elements_text"
    values = getattr(sa.func, each)(App.labels).table_valued("value").alias("label_values")
    return sa.exists(
        sa.select(1).select_from(values).where(sa.func.lower(values.c.value) == label.lower())
    )


def _sort_key(
    sort: str, score: sa.ColumnElement[Any] | None, dialect: str
) -> tuple[sa.ColumnElement[Any], bool]:
    """The sort column and whether it runs descending; ``App.id`` always breaks ties."""
    if sort == "relevance" and score is not None:
        return score, False
    if sort == "name":
        name = Namespace.name + "/" + App.name_canonical
        # Byte order on both databases (PostgreSQL's locale collation would skip punctuation).
        return (name.collate("C") if dialect == "postgresql" else name), False
    if sort == "updated":
        return App.updated_at.expression, True
    return App.downloads.expression, True


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    updated: datetime = as_utc(row["updated_at"]) or row["updated_at"]
    return {
        "application": f"{row['namespace']}/{row['name']}",
        "description": row["description"],
        "labels": row["labels"] or [],
        "latest_version": row["latest"],
        "downloads": row["downloads"],
        "updated_at": updated.isoformat(),
    }
