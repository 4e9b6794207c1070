"""READMEs to HTML: CommonMark by markdown-it-py, then sanitized by nh3 (ammonia).

A README is untrusted input written by any publisher. Raw HTML in it is allowed through the
Markdown renderer (real READMEs use ``<img>``, ``<details>``, ``<br>``) and then everything is
cleaned by an allow-list: no ``<script>``/``<style>``/``<iframe>``, no event-handler or
``style`` attributes, link and image URLs only ``http``, ``https`` and ``mailto`` (no
``javascript:``/``data:``), links get ``rel="noopener noreferrer nofollow"``. Images keep their
``src`` only when it is an absolute ``http(s)`` URL: a relative path points into the author's
repository, not at this registry, and would only load a 404 here. Pure: no I/O.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

MAX_README_CHARS = 512 * 1024  # what is rendered; the rest is cut (publish caps readmes too)

_MARKDOWN = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(
    ["table", "strikethrough"]
)
_TAGS = (nh3.ALLOWED_TAGS - {"map", "area"}) | {"input"}
_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "code": {"class"},
    "ol": {"start"},
    "input": {"type", "checked", "disabled"},
    "*": {"id"},
}
_SCHEMES = {"http", "https", "mailto"}
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\salt=)")


def _attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src":
        return value if value.lower().startswith(("https://", "http://")) else None
    if element == "input" and attribute == "type":
        return value if value == "checkbox" else None
    if attribute == "id":  # keep in-page anchors apart from the page's own ids
        return "readme-" + value
    return value


def render_readme(text: str) -> str:
    """Safe HTML for a README written in Markdown (with inline HTML)."""
    html = _MARKDOWN.render(text[:MAX_README_CHARS])
    return sanitize(html)


def sanitize(html: str) -> str:
    """``html`` reduced to the allow-listed tags, attributes and URL schemes.

    Then, on nh3's normalized output: an image left without a ``src`` is dropped, and one
    without ``alt`` gets ``alt=""`` (screen readers then skip it instead of reading its URL).
    """
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        attribute_filter=_attribute,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return _IMG_WITHOUT_ALT.sub('<img alt=""', _IMG_WITHOUT_SRC.sub("", clean))
