"""READMEs to safe HTML: Markdown rendered, then everything outside the allow-list removed."""

from __future__ import annotations

import pytest

from registry.web.readme import render_readme, sanitize


def test_markdown_is_rendered():
    html = render_readme(
        "# Title\n\nSome **bold** and `code`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html and "<code>code</code>" in html
    assert "<table>" in html and "<td>1</td>" in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<div onclick="alert(1)" onmouseover="alert(2)">x</div>',
        '<svg onload="alert(1)"><circle/></svg>',
        '<iframe src="https://evil.example/"></iframe>',
        "<style>body { display: none }</style>",
        '<p style="background: url(javascript:alert(1))">x</p>',
        '<form action="https://evil.example/"><input name="token"></form>',
        '<object data="https://evil.example/x.swf"></object>',
        '<base href="https://evil.example/">',
        '<meta http-equiv="refresh" content="0; url=https://evil.example/">',
        "<!-- <script>alert(1)</script> -->",
    ],
)
def test_nothing_that_runs_or_restyles_survives(hostile):
    html = render_readme(f"Before\n\n{hostile}\n\nAfter")
    lowered = html.lower()
    for bad in (
        "<script",
        "onerror",
        "onclick",
        "onload",
        "onmouseover",
        "javascript:",
        "data:text",
        "<iframe",
        "<style",
        "style=",
        "<form",
        "<object",
        "<base",
        "<meta",
        "<svg",
        "<!--",
    ):
        assert bad not in lowered.replace("[x](javascript:alert(1))", ""), (hostile, html)
    assert "After" in html


def test_links_get_rel_and_keep_safe_urls():
    html = sanitize('<a href="https://example.com/x" title="t">x</a> <a href="mailto:a@b.c">m</a>')
    assert 'href="https://example.com/x"' in html and 'title="t"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert 'href="mailto:a@b.c"' in html


def test_images_need_an_absolute_http_source_and_get_an_alt():
    html = sanitize(
        '<img src="x"><img src="/local.png"><img src="https://example.com/a.png">'
        '<img alt="Logo" src="https://example.com/b.png">'
    )
    assert html.count("<img") == 2
    assert '<img alt="" src="https://example.com/a.png">' in html
    assert 'alt="Logo"' in html


def test_ids_are_prefixed_so_they_cannot_clash_with_the_page():
    html = sanitize('<h2 id="main">Heading</h2>')
    assert 'id="readme-main"' in html


def test_a_huge_readme_is_cut():
    html = render_readme("word " * 300_000)
    assert len(html) < 600 * 1024
