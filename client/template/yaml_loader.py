"""The PyYAML loader classes: intrinsic tags to long forms, no retyped dates, no duplicates."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from client.errors import DuplicateKeyError, TemplateSyntaxError
from client.template.intrinsics import GETATT, LONG_FORMS, SCALAR_ONLY

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_STANDARD = "tag:yaml.org,2002:"
# Types a JSON-like document cannot hold: refused like unknown tags.
_REFUSED_TAGS = ("binary", "set", "omap", "pairs", "timestamp")


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _display_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


class _Checks(SafeConstructor):
    """Checks every mapping as it is built, whichever parser (C or Python) composed it."""

    source = "<template>"

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        self._check_keys(node)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping

    def _check_keys(self, node: MappingNode) -> None:
        # Compare keys as built, so that `1` and `01` (or `true` and `yes`) count as the same.
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue
            if not (isinstance(key_node, ScalarNode) and key_node.tag.startswith(_STANDARD)):
                raise TemplateSyntaxError(
                    f"line {_line(key_node)}: mapping keys must be plain strings",
                    source=self.source,
                )
            key = self.construct_object(key_node)
            if key in seen:
                raise DuplicateKeyError(
                    f"duplicate key {key_node.value!r} at line {_line(key_node)} "
                    f"(first at line {seen[key]})",
                    source=self.source,
                )
            seen[key] = _line(key_node)


def _construct_intrinsic(loader: _Checks, node: Node) -> dict[str, Any]:
    name = LONG_FORMS[node.tag]
    value: Any
    if isinstance(node, ScalarNode):
        value = loader.construct_scalar(node)
        if name == GETATT:
            value = _split_getatt(value, node, loader.source)
    elif name in SCALAR_ONLY:
        raise TemplateSyntaxError(
            f"line {_line(node)}: {node.tag} takes a single logical id, not a "
            f"{'list' if isinstance(node, SequenceNode) else 'mapping'}",
            source=loader.source,
        )
    elif isinstance(node, SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


def _split_getatt(text: str, node: Node, source: str) -> list[str]:
    resource, dot, attribute = text.partition(".")
    if not (resource and dot and attribute):
        raise TemplateSyntaxError(
            f"line {_line(node)}: !GetAtt {text!r} must read Resource.Attribute",
            source=source,
        )
    return [resource, attribute]


def _refuse_tag(loader: _Checks, node: Node) -> Any:
    raise TemplateSyntaxError(
        f"line {_line(node)}: unknown or unsupported tag {_display_tag(node.tag)}",
        source=loader.source,
        hint="Use only CloudFormation's intrinsic tags (!Ref, !Sub, !GetAtt, ...).",
    )


def make_loader(base: type[Any]) -> type[Any]:
    """A template loader class on top of ``yaml.SafeLoader`` or ``yaml.CSafeLoader``."""
    loader: type[Any] = type(f"Template{base.__name__}", (_Checks, base), {})
    # CloudFormation reads `2010-09-09` as a string: drop YAML 1.1's timestamp resolver.
    loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    for tag in LONG_FORMS:
        loader.add_constructor(tag, _construct_intrinsic)
    for name in _REFUSED_TAGS:
        loader.add_constructor(f"tag:yaml.org,2002:{name}", _refuse_tag)
    loader.add_constructor(None, _refuse_tag)
    return loader


PURE_LOADER = make_loader(yaml.SafeLoader)
# libyaml parses several times faster; the constructor layer (our checks) is Python in both.
FAST_LOADER = make_loader(yaml.CSafeLoader) if yaml.__with_libyaml__ else PURE_LOADER
