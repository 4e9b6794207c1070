"""Search over apps: full text (SQLite FTS5 / PostgreSQL tsvector), filters, keyset pages.

User text never reaches the full-text syntax: it is cut into letter/digit words, all of them
required. The last word is matched as a prefix (``"word"*`` in FTS5, ``word:*`` in tsquery),
the earlier ones as whole words, as in search-as-you-type: only the word being typed can be
incomplete. So ``q=resiz`` finds "resizer", ``q=rss feeds`` finds "RSS feeds", but
``q=res images`` does not (``res`` must be a whole word). Quotes, ``*``, ``NEAR``, ``-`` or ``:``
in ``q`` are just separators.

Pages are keyset-paginated on (sort key, app id): the cursor carries the last row's key and id,
so no row is repeated or skipped while the data does not change. Ties go by id in the sort's
direction: downloads and updated run descending, so among equal keys the newest app comes
first; name and relevance run ascending. Relevance scores move when the corpus changes (bm25
and ts_rank depend on it); a cursor then still never repeats a row already past the key, but a
row whose score rose past it is not shown again.

Bounded work on PostgreSQL (issue #7: 100,000 apps). Downloads and updated pages walk the
btree indexes ``(downloads, id)`` / ``(updated_at, id)`` backwards from the cursor and stop
after the page; with words, ``_first_matches`` picks between that walk and the GIN index so
that neither a common nor a rare word reads the whole table. Relevance ranks a bounded
candidate set: the ``RELEVANCE_CANDIDATES`` (500) most downloaded matches, ties newest first.
So when more than 500 apps match, the rest are not ranked and not listed under relevance:
a well-matching app with fewer downloads than the 500th match is found by a narrower query
(more words, ``namespace``, ``label``) or under ``sort=downloads``/``updated``/``name``, which
list every match. Paging stays consistent across the bound (the set is recomputed the same
way for each page; the last page ends at the bound). SQLite ranks every match with FTS5's
bm25, unbounded. The name sort has no index (its key spans the namespace join): it still
sorts every match.

Every part of the statement that does not depend on the request (aliases, joins, the full-text
subquery with a bind parameter) is built once at import, and the statements of first pages are
kept per (query, principal) in ``_BUILT``: building them per request cost over half a
search's CPU.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from client.paths import SEARCH_SORTS
from registry.auth.access import readable_apps
from registry.auth.credentials import Principal, as_utc
from registry.db.models import App, DistTag, Namespace, Version
from registry.search.shapes import AppSummary

SORTS = SEARCH_SORTS
# PostgreSQL ranks at most this many matches, the most downloaded ones (module docstring).
RELEVANCE_CANDIDATES = 500
WALK_FACTOR = 10
MIN_WALK = 2000
# First-page statements, by all they depend on: building one took as long as running it.
# About 80 KiB each.
MAX_BUILT = 128
_BUILT: dict[tuple[Any, ...], tuple[sa.Select[Any], dict[str, Any]]] = {}
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
    rows: list[AppSummary]
    last_key: tuple[Any, int] | None  # set when more rows may follow


def terms_of(q: str) -> tuple[str, ...]:
    """The words of ``q`` (lowercased), at most ``MAX_TERMS``; punctuation is dropped."""
    return tuple(w.lower() for w in _WORD.findall(q))[:MAX_TERMS]


def fts5_query(terms: tuple[str, ...]) -> str:
    """Whole words, the last one a prefix: ``"a" "b"*``."""
    return " ".join(f'"{t}"' for t in terms) + ("*" if terms else "")


def tsquery(terms: tuple[str, ...]) -> str:
    """Whole words, the last one a prefix: ``a & b:*``."""
    return " & ".join(terms) + (":*" if terms else "")


_LATEST = aliased(Version, name="latest_version")
_TAG = aliased(DistTag, name="latest_tag")
_COLUMNS = (
    App.id,
    Namespace.name.label("namespace"),
    App.name,
    App.description,
    App.labels,
    App.downloads,
    App.updated_at,
    _LATEST.version.label("latest"),
)
_APPS = sa.select(App.id).join(Namespace, Namespace.id == App.namespace_id)
_FTS = (
    sa.select(sa.literal_column("rowid").label("app_id"), sa.literal_column(_BM25).label("score"))
    .select_from(sa.table("apps_fts"))
    .where(sa.text("apps_fts MATCH :fts"))
    .subquery("fts")
)
_VECTOR: sa.ColumnClause[Any] = sa.literal_column("apps.search_vector")
_TSQUERY = sa.func.to_tsquery(
    sa.literal_column("'simple'::regconfig"), sa.bindparam("tsq", type_=sa.Text)
)
_MATCHES = _VECTOR.op("@@")(_TSQUERY)
_OTHER = aliased(App, name="window_app")
_FULL_NAME = Namespace.name + "/" + App.name_canonical
# Byte order on both databases (PostgreSQL's locale collation would skip punctuation).
_NAME_KEY = {"sqlite": _FULL_NAME, "postgresql": _FULL_NAME.collate("C")}


async def search(session: AsyncSession, query: Query, principal: Principal) -> Page:
    """One page of apps the principal may read, in ``query.sort`` order."""
    dialect = session.get_bind().dialect.name
    key = (dialect, query, _identity(principal), RELEVANCE_CANDIDATES, WALK_FACTOR, MIN_WALK)
    built = _BUILT.get(key)
    if built is None:
        built = _statement(dialect, query, principal)
        if query.after is None:  # first pages repeat; later ones hardly
            if len(_BUILT) >= MAX_BUILT:
                _BUILT.clear()
            _BUILT[key] = built
    stmt, params = built
    rows = [dict(row._mapping) for row in await session.execute(stmt, params)]
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    last = (rows[-1]["sort_key"], rows[-1]["id"]) if more else None
    return Page([_summary(r) for r in rows], last)


def _identity(principal: Principal) -> tuple[Any, ...]:
    """Every field of the principal, hashable: the access filter may depend on any of them."""
    values = (getattr(principal, f.name) for f in fields(principal))
    return tuple(frozenset(v.items()) if isinstance(v, Mapping) else v for v in values)


def _statement(
    dialect: str, query: Query, principal: Principal
) -> tuple[sa.Select[Any], dict[str, Any]]:
    hits, params, descending = _hits(dialect, query, principal)
    order = (
        (hits.c.sort_key.desc(), hits.c.id.desc()) if descending else (hits.c.sort_key, hits.c.id)
    )
    stmt = (
        sa.select(*_COLUMNS, hits.c.sort_key)
        .select_from(hits)
        .join(App, App.id == hits.c.id)
        .join(Namespace, Namespace.id == App.namespace_id)
        .outerjoin(_TAG, sa.and_(_TAG.app_id == App.id, _TAG.tag == "latest"))
        .outerjoin(_LATEST, _LATEST.id == _TAG.version_id)
        .order_by(*order)
    )
    return stmt, params


def _hits(
    dialect: str, query: Query, principal: Principal
) -> tuple[sa.Subquery, dict[str, Any], bool]:
    """Ids and sort keys of the page (one row more, to tell whether more follow).

    Only the page's rows are then joined to their columns and latest version: PostgreSQL
    otherwise sorts every match with all its columns (4x the time at 10,000 matches).
    """
    stmt, params = _APPS, {}
    score: sa.ColumnElement[Any] | None = None
    if query.terms and dialect == "sqlite":
        stmt, score = _APPS.join(_FTS, _FTS.c.app_id == App.id), _FTS.c.score
        params = {"fts": fts5_query(query.terms)}
    elif query.terms:
        params = {"tsq": tsquery(query.terms)}
    for label in query.labels:
        stmt = stmt.where(_has_label(dialect, label))
    if query.namespace is not None:
        stmt = stmt.where(Namespace.name == query.namespace)
    stmt = stmt.where(readable_apps(principal))
    app_id: sa.ColumnElement[int] = App.id.expression
    if query.terms and dialect == "postgresql":
        if query.sort == "relevance":
            first = _first_matches(stmt, "downloads", RELEVANCE_CANDIDATES)
            rank = sa.func.ts_rank(first.c.vector, _TSQUERY)
            stmt, app_id = sa.select(first.c.id), first.c.id
            score = -sa.cast(rank, sa.Float(precision=53))
        elif query.sort == "name":
            stmt = stmt.where(_MATCHES)  # no index in that order: sort the matches
        else:
            column = "updated_at" if query.sort == "updated" else "downloads"
            first = _first_matches(stmt, column, query.limit + 1, query.after)
            return sa.select(first.c.id, first.c.sort_key).subquery("hits"), params, True
    key, descending = _sort_key(query.sort, score, dialect)
    stmt = stmt.add_columns(key.label("sort_key"))
    if query.after is not None:
        mine = sa.tuple_(key, app_id)
        stmt = stmt.where(mine < query.after if descending else mine > query.after)
    order = (key.desc(), app_id.desc()) if descending else (key.asc(), app_id.asc())
    return stmt.order_by(*order).limit(query.limit + 1).subquery("hits"), params, descending


def _first_matches(
    apps: sa.Select[Any], column: str, take: int, after: tuple[Any, int] | None = None
) -> sa.Subquery:
    """PostgreSQL: the first ``take`` of ``apps`` by (column, id) descending that match the words.

    Either plan alone is slow for some words: walking the (column, id) index and testing each
    row reads 1/share rows per match (the whole table for a word no app has); the GIN index
    finds every match, but then every match is read and sorted (the whole table for a word in
    most apps). So: walk a window of the index, the next ``WALK_FACTOR * take`` apps (at least
    ``MIN_WALK``) after ``after``; only if fewer than ``take`` of them match, sort all matches
    from the GIN index. Both give the same rows. The two CTEs are materialized so that
    PostgreSQL cannot fold them into one plan of its own, and the GIN branch runs only when its
    one-time filter holds. The window ends at the row found by an index-only scan (or at the
    last app), so that the walk stops there: an index condition, not a filter.
    """
    key, other = getattr(App, column), getattr(_OTHER, column)
    ahead = sa.select(other.label("k"), _OTHER.id.label("i"))
    if after is not None:
        ahead = ahead.where(sa.tuple_(other, _OTHER.id) < after)
    span = max(take * WALK_FACTOR, MIN_WALK)
    nth = ahead.order_by(other.desc(), _OTHER.id.desc()).offset(span - 1).limit(1).subquery()
    last = sa.select(other, _OTHER.id).order_by(other, _OTHER.id).limit(1).subquery()
    ends = sa.union_all(sa.select(nth), sa.select(last)).subquery("ends")
    end = sa.select(ends.c.k, ends.c.i).order_by(ends.c.k.desc(), ends.c.i.desc()).limit(1)
    rows = apps.add_columns(key.label("sort_key"), _VECTOR.label("vector"))
    if after is not None:
        rows = rows.where(sa.tuple_(key, App.id) < after)
    walked = (
        rows.where(sa.tuple_(key, App.id) >= end.scalar_subquery())
        # @@ as a function call: no GIN index serves it, so the walk stays a walk.
        .where(sa.func.ts_match_vq(_VECTOR, _TSQUERY, type_=sa.Boolean))
        .order_by(key.desc(), App.id.desc())
        .limit(take)
        .cte("walked")
        .prefix_with("MATERIALIZED")
    )
    matched = rows.where(_MATCHES).cte("matched").prefix_with("MATERIALIZED")
    found = sa.select(sa.func.count()).select_from(walked).scalar_subquery()
    rest = (
        sa.select(matched)
        .where(found < take)
        .order_by(matched.c.sort_key.desc(), matched.c.id.desc())
        .limit(take)
        .subquery("rest")
    )
    return sa.union_all(sa.select(walked).where(found >= take), sa.select(rest)).subquery("first")


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
        return _NAME_KEY[dialect], False
    if sort == "updated":
        return App.updated_at.expression, True
    return App.downloads.expression, True


def _summary(row: dict[str, Any]) -> AppSummary:
    updated: datetime = as_utc(row["updated_at"]) or row["updated_at"]
    return AppSummary(
        application=f"{row['namespace']}/{row['name']}",
        description=row["description"],
        labels=row["labels"] or [],
        latest_version=row["latest"],
        downloads=row["downloads"],
        updated_at=updated,
    )
