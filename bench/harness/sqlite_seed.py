"""Grow a SQLite registry database to N apps directly in SQL: the SQLite twin of sql_seed.py.

Same clones of the model app; the search document goes to the FTS5 table ``apps_fts`` (rowid =
app id), with the fields ``registry/search/index.py`` writes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from harness import corpus

_SEQ = "WITH RECURSIVE seq(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)"

_APPS = f"""{_SEQ}
INSERT INTO apps (namespace_id, name, name_canonical, description, author, labels, home_page_url,
                  source_code_url, spdx_license_id, visibility, downloads, created_at, updated_at)
SELECT m.namespace_id, printf('app-%06d', i), printf('app-%06d', i),
       'Benchmark application ' || i || ': ' || w1.word || ' and ' || w2.word || ' helpers',
       m.author, json_array(w1.word, 'bench'), m.home_page_url, m.source_code_url,
       m.spdx_license_id, m.visibility, m.downloads, m.created_at, m.updated_at
FROM seq JOIN apps m ON m.id = ?
JOIN temp.bench_words w1 ON w1.idx = i % 20
JOIN temp.bench_words w2 ON w2.idx = (i * 7 + 3) % 20
"""

_VERSIONS = """
INSERT INTO versions (app_id, version, major, minor, patch, prerelease, digest, template_size,
                      bundle_digest, bundle_size, parameters, outputs, capabilities, metadata,
                      readme, license, yanked, yanked_reason, deprecated, downloads,
                      published_at, publisher_id)
SELECT a.id, v.version, v.major, v.minor, v.patch, v.prerelease, v.digest, v.template_size,
       v.bundle_digest, v.bundle_size, v.parameters, v.outputs, v.capabilities,
       json_patch(v.metadata, json_object('name', a.name, 'description', a.description,
                                          'labels', json(a.labels))),
       v.readme, v.license, v.yanked, v.yanked_reason, v.deprecated, v.downloads,
       v.published_at, v.publisher_id
FROM apps a JOIN versions v ON v.app_id = ?
WHERE a.id > ?
"""

_TAGS = """
INSERT INTO dist_tags (app_id, tag, version_id, explicit, updated_at)
SELECT v.app_id, t.tag, v.id, t.explicit, t.updated_at
FROM dist_tags t JOIN versions mv ON mv.id = t.version_id
JOIN versions v ON v.version = mv.version
WHERE t.app_id = ? AND v.app_id > ?
"""

_FTS = """
INSERT INTO apps_fts (rowid, name, description, labels, author, readme)
SELECT id, name, description, (SELECT group_concat(value, ' ') FROM json_each(apps.labels)),
       coalesce(author, ''), ''
FROM apps WHERE id > ?
"""


def grow(path: Path, target: int) -> int:
    """Add apps until the database holds ``target`` (model app included); returns the count."""
    conn = sqlite3.connect(path, timeout=60)
    try:
        (model,) = conn.execute(
            "SELECT id FROM apps WHERE name = ?", (corpus.App(0).name,)
        ).fetchone()
        (have,) = conn.execute("SELECT count(*) FROM apps").fetchone()
        if target > have:
            conn.execute("CREATE TEMP TABLE bench_words (idx INTEGER PRIMARY KEY, word TEXT)")
            conn.executemany("INSERT INTO temp.bench_words VALUES (?, ?)", enumerate(corpus.WORDS))
            (before,) = conn.execute("SELECT max(id) FROM apps").fetchone()
            with conn:
                conn.execute(_APPS, (have, target, model))
                conn.execute(_VERSIONS, (model, before))
                conn.execute(_TAGS, (model, before))
                conn.execute(_FTS, (before,))
            conn.execute("ANALYZE")
        (count,) = conn.execute("SELECT count(*) FROM apps").fetchone()
        return int(count)
    finally:
        conn.close()
