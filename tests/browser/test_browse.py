"""The web UI in real Chromium against a real registry (SQLite and PostgreSQL).

Each page type is visited, checked for what a user must see, checked by axe-core (no serious
or critical violation) and saved as a screenshot under ``test-results/browser/<database>/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_world import World
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Dialog, Page, expect

BLOCKING = ("serious", "critical")


@pytest.fixture
def context(browser: Browser, axe_source: str) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport={"width": 1280, "height": 900})
    made.add_init_script(script=axe_source)  # through DevTools: the pages' CSP does not apply
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))"""
    )
    return [v for v in found if v["impact"] in BLOCKING]


def check_and_shoot(
    page: Page, shots: Path, world: World, name: str, *, full_page: bool = True
) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{name}: {violations}"
    folder = shots / world.database
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


def test_search_finds_the_app_and_its_page_shows_it_all(page: Page, world: World, screenshots):
    page.goto(world.url + "/")
    expect(page.get_by_role("heading", name="Reusable serverless applications")).to_be_visible()
    check_and_shoot(page, screenshots, world, "home")

    page.get_by_role("search").first.get_by_role("searchbox").fill("thumb")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=thumb"))
    results = page.get_by_role("list", name="Search results")
    expect(results.get_by_role("link", name="acme/thumbnailer")).to_be_visible()
    expect(results.get_by_role("link", name="acme/image-resizer")).to_have_count(0)
    check_and_shoot(page, screenshots, world, "search")

    results.get_by_role("link", name="acme/thumbnailer").click()
    page.wait_for_url(world.url + "/apps/acme/thumbnailer")
    readme = page.locator(".readme")
    expect(readme.get_by_role("heading", name="Thumbnailer", level=1)).to_be_visible()
    expect(readme.locator("strong", has_text="thumbnails")).to_be_visible()
    expect(readme.get_by_role("table")).to_contain_text("detail pages")

    params = page.get_by_role("region", name="Parameters")
    bucket = params.get_by_role("row", name=re.compile("BucketName"))
    expect(bucket).to_contain_text("required")
    expect(bucket).to_contain_text("pattern [a-z0-9.-]+")
    expect(params.get_by_role("row", name=re.compile("^Stage"))).to_contain_text("prod dev")
    expect(params.get_by_role("row", name=re.compile("MemorySize"))).not_to_contain_text("required")

    versions = page.locator("table.versions")
    expect(versions.get_by_role("row", name=re.compile("^1.0.0"))).to_contain_text(
        "yanked leaks memory"
    )
    expect(versions.get_by_role("row", name=re.compile("^2.0.0"))).not_to_contain_text("yanked")

    tree = page.get_by_role("img", name="Nested applications of acme/thumbnailer")
    expect(tree).to_be_visible()
    expect(tree).to_contain_text("acme/image-resizer")
    expect(tree).to_contain_text("1.1.0 (from ^1.0.0)")
    box = tree.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 60
    expect(page.locator("#add-cmd")).to_have_text("nestry add acme/thumbnailer@^2.0.0")
    check_and_shoot(page, screenshots, world, "app")

    page.get_by_role("link", name="1.0.0", exact=True).click()
    expect(page.get_by_role("note")).to_contain_text("Yanked: leaks memory")
    check_and_shoot(page, screenshots, world, "version")

    page.get_by_role("link", name="View source").click()
    expect(page.get_by_role("region", name="Template source")).to_contain_text(
        "AWS::Serverless::Application"
    )
    check_and_shoot(page, screenshots, world, "source")
    raw = page.request.get(world.url + "/apps/acme/thumbnailer/1.0.0/raw")
    assert raw.ok and raw.text().startswith("AWSTemplateFormatVersion")

    page.goto(world.url + "/namespaces/acme")
    expect(page.get_by_role("link", name="acme/image-resizer")).to_be_visible()
    check_and_shoot(page, screenshots, world, "namespace")


def test_hostile_readme_does_not_run(page: Page, world: World):
    dialogs: list[Dialog] = []
    errors: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog), dialog.dismiss()))
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    for path in ("/apps/acme/thumbnailer", "/apps/acme/thumbnailer/1.0.0"):
        page.goto(world.url + path)
        page.wait_for_load_state("load")
        expect(page.locator(".readme")).to_contain_text("a javascript link")
        assert page.evaluate("window.__pwned") is None
        assert page.locator(".readme script, .readme [onerror], .readme [onclick]").count() == 0
        assert page.locator('.readme a[href^="javascript:"]').count() == 0
    assert dialogs == [] and errors == []


def test_private_app_is_404_until_logged_in(page: Page, world: World, screenshots):
    response = page.goto(world.url + "/apps/vault/plans")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    check_and_shoot(page, screenshots, world, "not-found")
    page.goto(world.url + "/search?q=plans")
    expect(page.get_by_role("heading", name="Nothing matches")).to_be_visible()

    page.get_by_role("link", name="log in").first.click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    check_and_shoot(page, screenshots, world, "login")
    page.get_by_label("API token").fill(world.private_token)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/search\?q=plans"))
    expect(page.get_by_text("Signed in as")).to_contain_text("olga")
    results = page.get_by_role("list", name="Search results")
    expect(results.get_by_role("link", name="vault/plans")).to_be_visible()
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["nestry_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    assert session["value"] != world.private_token

    response = page.goto(world.url + "/apps/vault/plans")
    assert response is not None and response.status == 200
    expect(page.locator(".readme")).to_contain_text("Top secret.")
    expect(page.locator("h1 .badge.private")).to_be_visible()
    check_and_shoot(page, screenshots, world, "private-app")
    page.goto(world.url + "/namespaces/vault")
    expect(page.get_by_role("table")).to_contain_text("olga")
    check_and_shoot(page, screenshots, world, "namespace-member")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(world.url + "/")
    response = page.goto(world.url + "/apps/vault/plans")
    assert response is not None and response.status == 404


def test_keyboard_reaches_search_and_results(page: Page, world: World):
    page.goto(world.url + "/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#top-q")).to_be_focused()
    page.keyboard.type("resizer")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=resizer"))
    link = page.get_by_role("list", name="Search results").get_by_role("link").first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(world.url + "/apps/acme/image-resizer")


def test_phone_width_and_dark_mode(browser: Browser, axe_source: str, world: World, screenshots):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, color_scheme="dark", device_scale_factor=2
    )
    context.add_init_script(script=axe_source)
    try:
        page = context.new_page()
        page.goto(world.url + "/apps/acme/thumbnailer")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "the page scrolls sideways on a phone"
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(15, 17, 23)"
        check_and_shoot(page, screenshots, world, "app-phone-dark", full_page=False)
    finally:
        context.close()
