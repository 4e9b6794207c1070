"""Grow a PostgreSQL registry database to N apps directly in SQL (fast: 100k apps in seconds).

The rows are clones of one *model* app published through the API (``corpus.App(0)``), so every
column holds what the registry itself writes; only names, descriptions, labels and the search
vector (built as ``registry/search/index.py`` builds it) change per app. Names and
descriptions follow ``harness.corpus``, so searches match the same share at every size.
"""

from __future__ import annotations

import asyncio

import asyncpg  # type: ignore[import-untyped]

from harness import corpus

_APPS = """
INSERT INTO apps (namespace_id, name, name_canonical, description, author, labels, home_page_url,
                  source_code_url, spdx_license_id, visibility, downloads, created_at, updated_at,
                  search_vector)
SELECT m.namespace_id, n.name, n.name, n.description, m.author, n.labels, m.home_page_url,
       m.source_code_url, m.spdx_license_id, m.visibility, m.downloads, m.created_at,
       m.updated_at,
       setweight(to_tsvector('simple', n.name), 'A')
       || setweight(to_tsvector('simple', n.description || ' ' || n.label_text), 'B')
       || setweight(to_tsvector('simple', coalesce(m.author, '')), 'C')
FROM apps m,
     LATERAL (
       SELECT 'app-' || lpad(i::text, 6, '0') AS name,
              'Benchmark application ' || i || ': ' || ($2::text[])[i % 20 + 1] || ' and '
                || ($2::text[])[(i * 7 + 3) % 20 + 1] || ' helpers' AS description,
              json_build_array(($2::text[])[i % 20 + 1], 'bench') AS labels,
              ($2::text[])[i % 20 + 1] || ' bench' AS label_text
       FROM generate_series($3::int, $4::int - 1) AS i
     ) AS n
WHERE m.id = $1
"""

_VERSIONS = """
INSERT INTO versions (app_id, version, major, minor, patch, prerelease, digest, template_size,
                      bundle_digest, bundle_size, parameters, outputs, capabilities, metadata,
                      readme, license, yanked, yanked_reason, deprecated, downloads,
                      published_at, publisher_id)
SELECT a.id, v.version, v.major, v.minor, v.patch, v.prerelease, v.digest, v.template_size,
       v.bundle_digest, v.bundle_size, v.parameters, v.outputs, v.capabilities,
       (v.metadata::jsonb || jsonb_build_object('name', a.name, 'description', a.description,
                                                'labels', a.labels))::json,
       v.readme, v.license, v.yanked, v.yanked_reason, v.deprecated, v.downloads,
       v.published_at, v.publisher_id
FROM apps a JOIN versions v ON v.app_id = $1
WHERE a.id > $2
"""

_TAGS = """
INSERT INTO dist_tags (app_id, tag, version_id, explicit, updated_at)
SELECT v.app_id, t.tag, v.id, t.explicit, t.updated_at
FROM dist_tags t JOIN versions mv ON mv.id = t.version_id
JOIN versions v ON v.version = mv.version
WHERE t.app_id = $1 AND v.app_id > $2
"""


def grow(dsn: str, target: int) -> int:
    """Add apps until the database holds ``target`` (the model app included); returns the count."""
    return asyncio.run(_grow(dsn, target))


async def _grow(dsn: str, target: int) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        model = await conn.fetchval("SELECT id FROM apps WHERE name = $1", corpus.App(0).name)
        if model is None:
            raise RuntimeError("publish the model app (corpus.App(0)) before growing")
        have = await conn.fetchval("SELECT count(*) FROM apps")
        if target > have:
            async with conn.transaction():
                before = await conn.fetchval("SELECT max(id) FROM apps")
                await conn.execute(_APPS, model, list(corpus.WORDS), have, target)
                await conn.execute(_VERSIONS, model, before)
                await conn.execute(_TAGS, model, before)
            # Leave nothing for the measurement to share the machine with: autovacuum of the
            # new rows and the checkpointer writing them out would otherwise run during it
            # (a 2-core machine: they showed as a 3x app-document p99 at 100k apps).
            await conn.execute("VACUUM (ANALYZE)")
            await conn.execute("CHECKPOINT")
        count: int = await conn.fetchval("SELECT count(*) FROM apps")
        return count
    finally:
        await conn.close()
