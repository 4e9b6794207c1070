"""The picture of an application's nested tree: an SVG drawn on the server. Pure: no I/O.

Laid out like a file tree, one node per row, each child indented under its parent with an elbow
connector, so the picture reads top-down whatever the depth and fits a phone's width by scaling
(``viewBox``). Each node is a box with the application, the version it resolved to and the
reference's logical id; failed and external references are boxes of their own kind. The picture
is one image (``role="img"`` with a title naming the tree): the page lists the same dependencies
as links for keyboards and screen readers. Colors come from CSS classes (``tree-*``), so the
page's light and dark themes apply. Every text is XML-escaped. At most ``MAX_NODES`` rows are
drawn; a last row says how many were left out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape

MAX_NODES = 200
ROW = 46  # vertical distance between rows
BOX_HEIGHT = 36
INDENT = 28
CHAR = 7.4  # width of one character at the label's size (monospace, 12.5px)
PAD = 12
KINDS = ("root", "registry", "external", "error")


@dataclass(frozen=True)
class TreeNode:
    """One box: ``title`` (application or location), ``detail`` (version, error), ``path``
    (the logical id in the parent), ``kind`` (KINDS)."""

    title: str
    detail: str = ""
    path: str | None = None
    kind: str = "registry"
    children: tuple[TreeNode, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Row:
    node: TreeNode
    depth: int
    parent: int | None  # row index of the parent


def _rows(root: TreeNode) -> tuple[list[_Row], int]:
    """Rows in depth-first order, at most MAX_NODES, and how many nodes were left out."""
    rows: list[_Row] = []
    left_out = 0
    stack: list[tuple[TreeNode, int, int | None]] = [(root, 0, None)]
    while stack:
        node, depth, parent = stack.pop()
        if len(rows) >= MAX_NODES:
            left_out += 1 + sum(1 for _ in _descendants(node))
            continue
        rows.append(_Row(node, depth, parent))
        index = len(rows) - 1
        stack.extend((child, depth + 1, index) for child in reversed(node.children))
    return rows, left_out


def _descendants(node: TreeNode) -> Iterator[TreeNode]:
    for child in node.children:
        yield child
        yield from _descendants(child)


def _label(node: TreeNode) -> tuple[str, str]:
    first = node.title
    second = " · ".join(
        part for part in (node.detail, f"as {node.path}" if node.path else "") if part
    )
    return first, second


def _box_width(node: TreeNode) -> float:
    first, second = _label(node)
    return max(len(first) * CHAR, len(second) * CHAR * 0.92) + 2 * PAD


def render_tree(root: TreeNode, *, title: str) -> str:
    """An ``<svg>`` element (role img, titled) drawing ``root`` and its descendants."""
    rows, left_out = _rows(root)
    parts: list[str] = []
    width = 0.0
    for index, row in enumerate(rows):
        x, y = 1 + row.depth * INDENT, 1 + index * ROW
        box = _box_width(row.node)
        width = max(width, x + box + 1)
        if row.parent is not None:
            px = 1 + rows[row.parent].depth * INDENT + INDENT / 2
            py = 1 + row.parent * ROW + BOX_HEIGHT
            mid = y + BOX_HEIGHT / 2
            parts.append(f'<path class="tree-edge" d="M{px:g} {py:g} V{mid:g} H{x:g}"/>')
        parts.append(_node(row.node, x, y, box))
    height = len(rows) * ROW - (ROW - BOX_HEIGHT) + 2
    if left_out:
        y = 1 + len(rows) * ROW + 14
        parts.append(f'<text class="tree-more" x="1" y="{y:g}">… and {left_out} more</text>')
        height += ROW
    width = max(width, 120.0)
    summary = (
        f"{len(rows) + left_out} applications" if len(rows) + left_out != 1 else "1 application"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tree" role="img" '
        f'viewBox="0 0 {width:g} {height:g}" width="{width:g}" height="{height:g}" '
        f'aria-labelledby="tree-title">'
        f'<title id="tree-title">{escape(title)} ({summary})</title>' + "".join(parts) + "</svg>"
    )


def _node(node: TreeNode, x: float, y: float, width: float) -> str:
    kind = node.kind if node.kind in KINDS else "registry"
    first, second = _label(node)
    text_x = x + PAD
    body = (
        f'<rect class="tree-box tree-{kind}" x="{x:g}" y="{y:g}" width="{width:g}" '
        f'height="{BOX_HEIGHT}" rx="7"/>'
        f'<text class="tree-title" x="{text_x:g}" y="{y + 15:g}">{escape(first)}</text>'
    )
    if second:
        body += f'<text class="tree-detail" x="{text_x:g}" y="{y + 29:g}">{escape(second)}</text>'
    return f"<g>{body}</g>"
