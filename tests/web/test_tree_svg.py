"""The nested-tree picture: one row per node, parents before children, escaped, bounded."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from registry.web.tree_svg import MAX_NODES, ROW, TreeNode, render_tree

SVG = "{http://www.w3.org/2000/svg}"


def _tree() -> TreeNode:
    return TreeNode(
        "acme/root",
        "2.0.0",
        kind="root",
        children=(
            TreeNode(
                "acme/child",
                "1.1.0 (from ^1.0.0)",
                path="Child",
                children=(TreeNode("acme/leaf", "3.0.0", path="Leaf"),),
            ),
            TreeNode("arn:aws:serverlessrepo:us-east-1:1:applications/x", "SAR", "S", "external"),
            TreeNode("acme/gone", "^9: no matching version", "Gone", "error"),
        ),
    )


def test_rows_in_depth_first_order_indented_by_depth():
    svg = ET.fromstring(render_tree(_tree(), title="Tree of acme/root"))
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    assert title is not None and title.text == "Tree of acme/root (5 applications)"
    titles = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "tree-title"]
    assert titles == [
        "acme/root",
        "acme/child",
        "acme/leaf",
        "arn:aws:serverlessrepo:us-east-1:1:applications/x",
        "acme/gone",
    ]
    boxes = [r for r in svg.iter(f"{SVG}rect")]
    xs = [float(r.get("x", "0")) for r in boxes]
    ys = [float(r.get("y", "0")) for r in boxes]
    assert xs[0] < xs[1] < xs[2] and xs[1] == xs[3] == xs[4]  # depth 0, 1, 2, 1, 1
    assert ys == sorted(ys) and ys[1] - ys[0] == ROW
    kinds = [r.get("class") for r in boxes]
    assert kinds == [
        "tree-box tree-root",
        "tree-box tree-registry",
        "tree-box tree-registry",
        "tree-box tree-external",
        "tree-box tree-error",
    ]
    assert len(list(svg.iter(f"{SVG}path"))) == 4  # one connector per child
    width = float(svg.get("width", "0"))
    assert all(float(r.get("x", "0")) + float(r.get("width", "0")) <= width for r in boxes)


def test_details_name_the_version_and_the_logical_id():
    svg = render_tree(_tree(), title="t")
    assert "1.1.0 (from ^1.0.0) · as Child" in svg
    assert "^9: no matching version · as Gone" in svg


def test_text_is_escaped():
    hostile = TreeNode('<script>alert("x")</script>', "<b>", path="&amp")
    svg = render_tree(hostile, title="</title><script>")
    assert "<script>" not in svg and "<b>" not in svg
    ET.fromstring(svg)  # still well-formed XML


def test_large_trees_are_cut_with_a_count():
    wide = TreeNode("root", kind="root", children=tuple(TreeNode(f"a/{i}") for i in range(500)))
    svg = render_tree(wide, title="wide")
    assert len(re.findall(r'class="tree-box', svg)) == MAX_NODES
    assert f"… and {501 - MAX_NODES} more" in svg
    assert "(501 applications)" in svg
