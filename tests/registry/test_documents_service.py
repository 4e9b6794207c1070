"""The documents service: one cache for the read path, keyed by canonical names, bounded in
bytes, invalidated per application; and one canonical spelling of names on every route."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from registry_samples import template

from registry.app import create_app
from registry.db.models import App
from registry.db.session import Database
from registry.errors import NotFound
from registry.settings import MIB, Settings

VERSION = "/v1/apps/acme/storm-caseamp/versions/1.0.0"


def _rss() -> int:
    """This process's resident set size in bytes (it serves the requests: ASGI in-process)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _spellings(text: str, count: int) -> list[str]:
    """``count`` distinct ASCII-case spellings of ``text`` (its letters up or down)."""
    letters = [i for i, char in enumerate(text) if char.isalpha()]
    chosen: list[str] = []
    for bits in itertools.islice(itertools.product((False, True), repeat=len(letters)), count):
        chars = list(text)
        for index, upper in zip(letters, bits, strict=True):
            chars[index] = chars[index].upper() if upper else chars[index]
        chosen.append("".join(chars))
    return chosen


async def test_a_storm_of_case_spellings_keeps_one_entry(app, api, publish):
    readme = "x" * 300_000  # a big document: each kept copy would show in RSS
    storm = template(name="storm-caseamp")
    published = await publish("acme", "storm-caseamp", "1.0.0", storm, readme=readme)
    assert published.status_code == 201, published.text
    first = await api.get(VERSION)
    assert first.status_code == 200
    documents = app.state.registry.documents
    before_rss, before_bytes = _rss(), documents.cache.size
    for spelling in _spellings("acme/storm-caseamp", 2000):  # of 2^16
        response = await api.get(f"/v1/apps/{spelling}/versions/1.0.0")
        assert response.status_code == 200
        assert response.content == first.content
    growth = _rss() - before_rss
    keys = [key for key in documents.cache.held() if key[0] in ("ready", "version-body")]
    assert len(keys) == 2, keys  # the version document's bytes and its ready answer, once
    assert documents.cache.size - before_bytes < 1024
    assert growth < 64 * MIB, f"RSS grew by {growth / MIB:.0f} MiB"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, cache_bytes=8 * MIB)


async def test_the_byte_bound_holds_with_big_templates(app, api, publish):
    documents = app.state.registry.documents
    assert documents.cache.max_bytes == 8 * MIB
    bodies = {}
    for number in range(12):  # 12 templates of ~900 KB: more than the bound holds
        body = template(name="big", marker=f"{number}") + "# " + "y" * 900_000 + "\n"
        bodies[f"1.0.{number}"] = body.encode()
        published = await publish("acme", "big", f"1.0.{number}", body)
        assert published.status_code == 201, published.text
    for _ in range(2):
        for version, body in bodies.items():
            response = await api.get(f"/v1/apps/acme/big/versions/{version}/template")
            assert response.status_code == 200 and response.content == body
            assert documents.cache.size <= documents.cache.max_bytes
    assert documents.cache.stats.evictions > 0, "the bound was reached and held"


async def _read_all(api, app_name: str) -> None:
    for url in (
        f"/v1/apps/acme/{app_name}",
        f"/v1/apps/acme/{app_name}/versions/1.0.0",
        f"/v1/apps/acme/{app_name}/versions/1.0.0/template",
    ):
        assert (await api.get(url)).status_code == 200, url


def _keys_of(documents, app_id: int) -> set[object]:
    return documents.cache.held_for(app_id)


async def test_a_publish_of_one_app_leaves_another_s_answers_alone(app, api, publish, settings):
    for name in ("a", "b"):
        assert (await publish("acme", name, "1.0.0", template(name=name))).status_code == 201
    await _read_all(api, "a")
    await _read_all(api, "b")
    documents = app.state.registry.documents
    b_id = (await documents.app("acme", "b")).info.id
    kept = _keys_of(documents, b_id)
    assert len(kept) >= 4  # rows, counts, bodies, ready answers
    loads = documents.loads
    assert (await publish("acme", "a", "1.1.0", template(name="a", marker="2"))).status_code == 201
    assert _keys_of(documents, b_id) == kept, "acme/b's answers stayed"
    await _read_all(api, "b")
    assert documents.loads == loads, "acme/b was not read from the database again"
    # Another process's write to acme/a (the admin CLI, another worker) is noticed per app too.
    other = Database(settings.database_url, listen=False)
    try:
        async with other.writer() as session:
            await session.execute(sa.update(App).where(App.name == "a").values(description="x"))
            await session.commit()
    finally:
        await other.dispose()
    for _ in range(100):  # PostgreSQL: the notice arrives on the listening connection
        if (await api.get("/v1/apps/acme/a")).json()["description"] == "x":
            break
    assert (await api.get("/v1/apps/acme/a")).json()["description"] == "x"
    assert _keys_of(documents, b_id) == kept
    assert (await api.get("/v1/apps/acme/b/versions/1.0.0/template")).status_code == 200
    assert documents.loads == loads + 1, "only acme/a was read again"


async def test_flushing_download_counts_evicts_no_document(app, api, publish):
    assert (await publish("acme", "a", "1.0.0", template(name="a"))).status_code == 201
    assert (await publish("acme", "b", "1.0.0", template(name="b"))).status_code == 201
    await _read_all(api, "a")
    for url in ("/v1/apps/acme/b", "/v1/apps/acme/b/versions/1.0.0"):  # no download of b
        assert (await api.get(url)).status_code == 200
    state = app.state.registry
    documents = state.documents
    loads, a_id = documents.loads, (await documents.app("acme", "a")).info.id
    template_keys = [key for key in documents.cache.held() if key[0] == "template"]
    b_keys = _keys_of(documents, (await documents.app("acme", "b")).info.id)
    a_keys = _keys_of(documents, a_id)
    assert len(a_keys) >= 4  # rows, counts, bodies, ready answers
    evictions, invalidations = documents.cache.stats.evictions, documents.cache.stats.invalidations
    await state.downloads.flush()
    assert template_keys and all(key in documents.cache.held() for key in template_keys)
    assert b_keys <= set(documents.cache.held()), "acme/b downloaded nothing: untouched"
    assert _keys_of(documents, a_id) == a_keys, "acme/a's documents are kept, counts aged"
    assert documents.cache.stats.evictions == evictions
    assert documents.cache.stats.invalidations == invalidations
    document = (await api.get("/v1/apps/acme/a")).json()
    assert document["downloads"] == 1, "counts after this process's flush are fresh"
    assert documents.loads == loads, "no app was read from the database again"


async def test_authenticated_reads_of_a_private_app_ask_no_query(app, api, publish, admin_token):
    assert (await publish("acme", "secret", "1.0.0", template(name="secret"))).status_code == 201
    auth = {"Authorization": f"Bearer {admin_token}"}
    patched = await api.patch("/v1/apps/acme/secret", json={"visibility": "private"}, headers=auth)
    assert patched.status_code == 200
    first = await api.get("/v1/apps/acme/secret", headers=auth)
    assert first.status_code == 200 and first.json()["visibility"] == "private"
    documents = app.state.registry.documents
    loads = documents.loads
    for _ in range(3):
        again = await api.get("/v1/apps/acme/secret", headers=auth)
        assert again.content == first.content
    assert documents.loads == loads
    assert (await api.get("/v1/apps/acme/secret")).status_code == 404


NON_ASCII = ["\u212aelvin", "\uff4belvin", "kelvi\u0144", "kel\u0131vin", "ke\u017fvin"]


async def test_non_ascii_spellings_answer_404_on_reads_and_422_on_writes(api, publish, admin_token):
    assert (await publish("acme", "kelvin", "1.0.0", template(name="kelvin"))).status_code == 201
    assert (await publish("acme", "kelsvin", "1.0.0", template(name="kelsvin"))).status_code == 201
    auth = {"Authorization": f"Bearer {admin_token}"}
    for name in NON_ASCII:
        base = f"/v1/apps/acme/{name}"
        for url in (base, base + "/versions/1.0.0", base + "/versions/1.0.0/template"):
            for headers in ({}, auth):
                response = await api.get(url, headers=headers)
                assert response.status_code == 404, (url, response.text)
                assert response.json()["error"]["code"] in ("app_not_found", "version_not_found")
        assert (await api.get(base + "/dependents", headers=auth)).status_code == 404
        assert (await api.get("/v1/apps/\u212acme/kelvin", headers=auth)).status_code == 404
        patched = await api.patch(base, json={"description": "no"}, headers=auth)
        assert patched.status_code == 422, patched.text
        put = await publish("acme", name, "1.0.1", template(name="kelvin"))
        assert put.status_code == 422, put.text
    assert (await api.get("/v1/apps/acme/kelvin")).json()["description"] == "A demo app"


async def test_upper_case_spellings_read_the_same_document(api, publish):
    assert (await publish("acme", "Demo", "1.0.0", template(name="Demo"))).status_code == 201
    for tail in ("", "/versions/1.0.0", "/versions/1.0.0/template"):
        canonical = await api.get("/v1/apps/acme/demo" + tail)
        assert canonical.status_code == 200
        for spelling in ("ACME/DEMO", "Acme/demo", "acme/dEmO"):
            for _ in range(2):  # routed, then remembered
                response = await api.get(f"/v1/apps/{spelling}{tail}")
                assert response.status_code == 200
                assert response.content == canonical.content
    assert (await api.get("/v1/apps/acme/demo")).json()["application"] == "acme/Demo"


async def test_writes_refuse_names_outside_the_pattern_and_fold_case(api, publish):
    for ns, name in (("acme", "bad_name"), ("acme", "dot.name"), ("-acme", "x"), ("ac me", "x")):
        response = await publish(ns, name, "1.0.0", template(name=name))
        assert response.status_code == 422, (ns, name, response.text)
        assert response.json()["error"]["code"].startswith("invalid")
    upper = await publish("ACME", "Shout", "1.0.0", template(name="Shout"))
    assert upper.status_code == 201, upper.text
    assert upper.json()["application"] == "acme/Shout"
    assert (await api.get("/v1/apps/acme/shout")).status_code == 200


async def test_an_unknown_change_keeps_what_cannot_have_gone_stale(app, api, publish, settings):
    """A listener regained after a loss (or a SQLite reader a ring behind) is an unknown change:
    every app's answers go, templates and versions' immutable parts stay."""
    assert (await publish("acme", "a", "1.0.0", template(name="a"))).status_code == 201
    await _read_all(api, "a")
    documents = app.state.registry.documents
    immutable = {key for key in documents.cache.held() if key[0] in ("template", "tail")}
    assert len(immutable) == 2
    if settings.database_url.startswith("postgresql"):
        feed = app.state.registry.changes
        feed._heartbeat, feed._retry = 0.05, 0.05
        async with app.state.registry.database.writer(report=False) as session:
            await session.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = 'nestry-change-feed'"
                    " AND datname = current_database()"
                )
            )
        for _ in range(200):
            if not feed.live:
                break
            await asyncio.sleep(0.02)
        assert not feed.live
        # Lost: nothing is known to have changed yet; answers fall back to their time bound.
        assert any(key[0] == "app" for key in documents.cache.held()), "kept while lost"
        for _ in range(250):  # regained: notices may have been missed meanwhile
            if feed.live:
                break
            await asyncio.sleep(0.02)
        assert feed.live
    else:
        app.state.registry.changes.changed()  # what a reader too far behind the ring applies
    assert not any(key[0] == "app" for key in documents.cache.held()), "apps' answers went"
    assert immutable <= set(documents.cache.held()), "templates and immutable parts stayed"


async def test_remembered_answers_go_only_to_callers_who_may_read(
    app, api, publish, admin_token, publish_token_factory
):
    """Authenticated answers come from memory too (a lookup in the token's roles), never to a
    token without access, an unknown token, or an anonymous caller of a private app."""
    assert (await publish("acme", "secret", "1.0.0", template(name="secret"))).status_code == 201
    owner = {"Authorization": f"Bearer {admin_token}"}
    private = await api.patch("/v1/apps/acme/secret", json={"visibility": "private"}, headers=owner)
    assert private.status_code == 200
    member = {"Authorization": f"Bearer {publish_token_factory('acme')}"}
    outsider = {"Authorization": f"Bearer {publish_token_factory('other')}"}
    urls = [
        "/v1/apps/acme/secret",
        "/v1/apps/acme/secret/versions/1.0.0",
        "/v1/apps/acme/secret/versions/1.0.0/template",
    ]
    for url in urls:
        first = await api.get(url, headers=member)
        assert first.status_code == 200
        shouted = url.replace("acme/secret", "ACME/Secret")
        assert (await api.get(shouted, headers=member)).content == first.content
        for headers in ({}, outsider, {"Authorization": "Bearer nst_unknown"}):
            refused = await api.get(url, headers=headers)
            assert refused.status_code in (401, 404), (url, headers, refused.status_code)
    state = app.state.registry
    ready = [key for key in state.documents.cache.held() if key[0] == "ready"]
    assert len(ready) == 3, "one remembered answer per URL, whatever the spelling"
    await state.downloads.flush()
    assert (await api.get(urls[0], headers=member)).json()["downloads"] == 2


async def test_with_anonymous_reads_off_a_remembered_answer_needs_a_token(settings, admin_token):
    closed = dataclasses.replace(settings, anonymous_read=False)
    application = create_app(closed)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
            auth = {"Authorization": f"Bearer {admin_token}"}
            put = await api.put(
                "/v1/apps/acme/open/versions/1.0.0",
                files={"template": ("template.yaml", template(name="open"))},
                headers=auth,
            )
            assert put.status_code == 201, put.text
            for _ in range(2):
                assert (await api.get("/v1/apps/acme/open", headers=auth)).status_code == 200
            assert (await api.get("/v1/apps/acme/open")).status_code == 401


async def test_many_callers_of_an_expired_entry_read_it_once(app, api, publish):
    assert (await publish("acme", "a", "1.0.0", template(name="a"))).status_code == 201
    documents = app.state.registry.documents
    loads = documents.loads
    answers = await asyncio.gather(*(documents.app("acme", "a") for _ in range(20)))
    assert all(answer is answers[0] for answer in answers)
    assert documents.loads == loads + 1, "twenty callers, one read"
    with pytest.raises(NotFound):
        await asyncio.gather(*(documents.app("acme", "missing") for _ in range(3)))
