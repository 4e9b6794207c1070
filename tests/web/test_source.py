"""Highlighted template source, and the stylesheet that colors it."""

from __future__ import annotations

from registry.web.pages import STATIC_DIR
from registry.web.source import highlight_css, highlighted


def test_yaml_is_highlighted_with_line_anchors_and_escaped():
    html = highlighted("Resources:\n  Topic:\n    Type: '<script>'\n")
    assert '<span class="nt">Resources</span>' in html
    assert 'id="L-3"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_json_templates_use_the_json_lexer():
    html = highlighted('{"Resources": {}}')
    assert '<span class="nt">"Resources"</span>' in html


def test_the_committed_stylesheet_is_current():
    assert (STATIC_DIR / "highlight.css").read_text() == highlight_css()
