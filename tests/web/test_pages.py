"""The web UI's pages over HTTP (in-process app, SQLite and PostgreSQL): what each page says,
who may see it, the ready-bytes cache and its invalidation, and the login forms' CSRF checks."""

from __future__ import annotations

import re

import httpx
from web_samples import HOSTILE_README, app_template, nested

from registry.web.cookies import CSRF, SESSION

Json = dict[str, object]


async def _seed(api: httpx.AsyncClient, publish, admin_token: str) -> None:
    for version in ("1.0.0", "1.1.0"):
        response = await publish("acme", "child", version, app_template("child", required=False))
        assert response.status_code == 201, response.text
    parent = app_template("thumbnailer", nested=nested("Child", "acme/child", "^1.0.0"))
    for version in ("1.0.0", "2.0.0"):
        response = await publish("acme", "thumbnailer", version, parent, readme=HOSTILE_README)
        assert response.status_code == 201, response.text
    headers = {"Authorization": f"Bearer {admin_token}"}
    yank = await api.post(
        "/v1/apps/acme/thumbnailer/versions/1.0.0/yank",
        json={"reason": "leaks memory"},
        headers=headers,
    )
    assert yank.status_code == 200, yank.text


async def test_app_page_shows_everything(api, publish, admin_token):
    await _seed(api, publish, admin_token)
    page = await api.get("/apps/acme/thumbnailer")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    text = page.text
    assert '<span class="version-pill">2.0.0</span>' in text
    assert "<h1>Thumbnailer</h1>" in text  # the README, rendered
    assert "<script>window.__pwned" not in text and "onerror" not in text
    assert 'href="javascript:' not in text and "onclick" not in text
    assert re.search(r"<code>Width</code> <span class=\"badge req\">required</span>", text)
    assert "<code>prod</code> <code>dev</code>" in text  # allowed values
    assert "leaks memory" in text and 'class="badge yanked"' in text
    assert "nestry add acme/thumbnailer@^2.0.0" in text
    assert "ApplicationId: acme/thumbnailer" in text and "Width: &#39;&lt;REQUIRED&gt;&#39;" in text
    svg = re.search(r"<svg .*?</svg>", text, re.S)
    assert (
        svg is not None and "acme/child" in svg.group(0) and "1.1.0 (from ^1.0.0)" in svg.group(0)
    )
    child = await api.get("/apps/acme/child")
    assert 'href="/apps/acme/thumbnailer/2.0.0"' in child.text  # a dependent


async def test_metadata_links_must_be_http(api, publish, admin_token):
    await _seed(api, publish, admin_token)
    headers = {"Authorization": f"Bearer {admin_token}"}
    hostile = {"home_page_url": "javascript:alert(document.cookie)"}
    assert (await api.patch("/v1/apps/acme/child", json=hostile, headers=headers)).is_success
    page = await api.get("/apps/acme/child")
    assert page.status_code == 200 and "javascript:" not in page.text
    safe = {"home_page_url": "https://example.org/child"}
    assert (await api.patch("/v1/apps/acme/child", json=safe, headers=headers)).is_success
    assert 'href="https://example.org/child"' in (await api.get("/apps/acme/child")).text


async def test_version_source_and_raw_pages(api, publish, admin_token):
    await _seed(api, publish, admin_token)
    old = await api.get("/apps/acme/thumbnailer/1.0.0")
    assert old.status_code == 200 and "Ranges no longer pick this version" in old.text
    tree = re.search(r"<svg .*?</svg>", old.text, re.S)
    assert tree is not None and "acme/child" in tree.group(0)  # a yanked version's tree too
    source = await api.get("/apps/acme/thumbnailer/2.0.0/source")
    assert source.status_code == 200 and 'class="highlight"' in source.text
    assert '<span class="nt">AWSTemplateFormatVersion</span>' in source.text
    raw = await api.get("/apps/acme/thumbnailer/2.0.0/raw")
    template = await api.get("/v1/apps/acme/thumbnailer/versions/2.0.0/template")
    assert raw.status_code == 200 and raw.content == template.content
    assert raw.headers["content-type"] == "text/plain; charset=utf-8"
    for missing in ("/apps/acme/thumbnailer/9.9.9", "/apps/acme/nope", "/apps/acme/x/1/source"):
        response = await api.get(missing)
        assert response.status_code == 404 and "Not found" in response.text, missing


async def test_search_and_home(api, publish, admin_token):
    await _seed(api, publish, admin_token)
    found = await api.get("/search", params={"q": "thumb"})
    assert found.status_code == 200 and 'href="/apps/acme/thumbnailer"' in found.text
    assert 'href="/apps/acme/child"' not in found.text
    by_label = await api.get("/search", params={"label": "media", "sort": "name"})
    assert 'href="/apps/acme/child"' in by_label.text
    none = await api.get("/search", params={"q": "zebra"})
    assert none.status_code == 200 and "Nothing matches" in none.text
    bad = await api.get("/search", params={"sort": "sideways"})
    assert bad.status_code == 400 and "Sort must be one of" in bad.text
    home = await api.get("/")
    assert home.status_code == 200 and "Most downloaded" in home.text
    assert 'href="/search?label=images"' in home.text


async def test_private_app_pages_are_404_until_logged_in(
    api, publish, admin_token, publish_token_factory
):
    token = publish_token_factory("secret", scope="publish", user="olga")
    response = await publish(
        "secret", "plans", "1.0.0", app_template("plans", description="Hidden plans"), token=token
    )
    assert response.status_code == 201
    headers = {"Authorization": f"Bearer {admin_token}"}
    made_private = await api.patch(
        "/v1/apps/secret/plans", json={"visibility": "private"}, headers=headers
    )
    assert made_private.status_code == 200
    for path in ("/apps/secret/plans", "/apps/secret/plans/1.0.0/source", "/namespaces/secret"):
        assert (await api.get(path)).status_code == 404, path
    assert "secret/plans" not in (await api.get("/search", params={"q": "plans"})).text

    form = await api.get("/login")
    csrf = form.cookies[CSRF]
    assert f'value="{csrf}"' in form.text
    logged = await api.post(
        "/login", data={"token": token, "csrf": csrf, "next": "/search?q=plans"}
    )
    assert logged.status_code == 303 and logged.headers["location"] == "/search?q=plans"
    cookie = logged.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    session = logged.cookies[SESSION]
    assert session != token and session.startswith("nst_")

    assert 'href="/apps/secret/plans"' in (await api.get("/search", params={"q": "plans"})).text
    page = await api.get("/apps/secret/plans")
    assert page.status_code == 200 and "Hidden plans" in page.text
    assert "private" in page.headers["cache-control"]
    members = await api.get("/namespaces/secret")
    assert members.status_code == 200 and "olga" in members.text

    # The session token reads only; logging out revokes it.
    assert (
        await api.delete("/v1/apps/secret/plans", headers={"Authorization": f"Bearer {session}"})
    ).status_code == 403
    logout_csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert logout_csrf is not None
    out = await api.post("/logout", data={"csrf": logout_csrf.group(1)})
    assert out.status_code == 303
    whoami = await api.get("/v1/whoami", headers={"Authorization": f"Bearer {session}"})
    assert whoami.status_code == 401
    api.cookies.clear()
    assert (await api.get("/apps/secret/plans")).status_code == 404


async def test_forms_refuse_missing_csrf_and_bad_tokens(api, publish, admin_token):
    form = await api.get("/login")
    csrf = form.cookies[CSRF]
    no_csrf = await api.post("/login", data={"token": admin_token, "csrf": "forged"})
    assert no_csrf.status_code == 403 and SESSION not in no_csrf.cookies
    foreign = await api.post(
        "/login",
        data={"token": admin_token, "csrf": csrf},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403 and SESSION not in foreign.cookies
    wrong = await api.post("/login", data={"token": "nst_wrong", "csrf": csrf})
    assert wrong.status_code == 401 and "unknown or has been revoked" in wrong.text
    offsite = await api.post(
        "/login", data={"token": admin_token, "csrf": csrf, "next": "//evil.example/"}
    )
    assert offsite.status_code == 303 and offsite.headers["location"] == "/"
    page = await api.get("/")
    assert "Signed in as <strong>admin</strong>" in page.text
    refused = await api.post("/logout", data={"csrf": "forged"})
    assert refused.status_code == 403
    assert "Signed in as" in (await api.get("/")).text


async def test_anonymous_pages_are_ready_bytes_until_a_change(api, app, publish, admin_token):
    await _seed(api, publish, admin_token)
    documents = app.state.registry.documents
    key = ("app", "acme", "thumbnailer")
    first = await api.get("/apps/acme/thumbnailer")
    assert documents.page(key) == first.content
    # Other spellings of the same page share one entry (canonical names), and a logged-in
    # browser's page is never taken from it.
    again = await api.get("/apps/ACME/Thumbnailer")
    assert again.content == first.content
    pages = [key for key in documents.cache.held() if key[0] == "page"]
    assert pages == [("page", key)]
    headers = {"Authorization": f"Bearer {admin_token}"}
    await api.patch(
        "/v1/apps/acme/thumbnailer", json={"description": "Now with WebP"}, headers=headers
    )
    assert documents.page(key) is None
    changed = await api.get("/apps/acme/thumbnailer")
    assert "Now with WebP" in changed.text


async def test_the_search_page_is_kept_only_without_parameters(api, app, publish, admin_token):
    await _seed(api, publish, admin_token)
    documents = app.state.registry.documents
    first = await api.get("/search")
    assert documents.page(("search",)) == first.content
    await api.get("/search?q=thumb")
    assert documents.page(("search?q=thumb",)) is None  # made-up queries never fill the cache
    headers = {"Authorization": f"Bearer {admin_token}"}
    await api.patch("/v1/apps/acme/thumbnailer", json={"description": "Sharper"}, headers=headers)
    assert documents.page(("search",)) is None
    assert "Sharper" in (await api.get("/search?q=thumb")).text
    # A logged-in browser's search is its own: never kept.
    api.cookies.set(SESSION, "nst_unknown")
    await api.get("/search")
    assert documents.page(("search",)) is None
