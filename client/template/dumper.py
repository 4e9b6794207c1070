"""Dump a long-form template back to readable YAML with CloudFormation's short-form tags."""

from __future__ import annotations

import re
from typing import Any

import yaml

from client.template.intrinsics import GETATT, SCALAR_ONLY, SHORT_TAGS

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_INTRINSIC_TAGS = frozenset(SHORT_TAGS.values())
_UNICODE_BREAKS = frozenset("\x85\u2028\u2029")
# Long lines stay whole: folding plain scalars makes ARNs and descriptions harder to read.
_WIDTH = 1 << 30


class _TemplateDumper(yaml.SafeDumper):
    """The pure-Python emitter, so that the output is byte-identical with or without libyaml.

    Its resolver is YAML 1.1's (plus 1.2's floats): any string a reader would retype
    ('2010-09-09', 'yes', '1.0', '0123', '1e3') is quoted, so other tools read back exactly what
    we wrote.
    """

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, the way CloudFormation's examples are written.
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def choose_scalar_style(self) -> str:
        # PyYAML quotes every explicitly tagged scalar; `!Ref Name` reads better, and the
        # tag already stops a reader from retyping the text.
        event = self.event
        if (
            isinstance(event, yaml.ScalarEvent)
            and event.tag in _INTRINSIC_TAGS
            and not event.style
            and self._plain_allowed(event.value)
        ):
            return ""
        style: str = super().choose_scalar_style()
        return style

    def _plain_allowed(self, value: str) -> bool:
        if self.analysis is None:
            self.analysis = self.analyze_scalar(value)
        analysis = self.analysis
        if analysis.empty or analysis.multiline:
            return False
        return bool(analysis.allow_flow_plain if self.flow_level else analysis.allow_block_plain)


def _represent_str(dumper: _TemplateDumper, text: str) -> yaml.Node:
    return dumper.represent_scalar(_STR, text, style=_style(text))


def _style(text: str) -> str | None:
    # Block style keeps inline code and `!Sub |` scripts readable; the emitter falls back to
    # quotes by itself when a block cannot hold the text exactly (e.g. trailing spaces).
    if any(char in _UNICODE_BREAKS for char in text):
        return '"'  # PyYAML writes these raw otherwise, and readers take them as line breaks
    return "|" if "\n" in text else None


def _represent_dict(dumper: _TemplateDumper, data: dict[Any, Any]) -> yaml.Node:
    if len(data) == 1:
        ((key, value),) = data.items()
        node = _short_form(dumper, key, value) if isinstance(key, str) else None
        if node is not None:
            return node
    return dumper.represent_mapping(_MAP, data)


def _short_form(dumper: _TemplateDumper, key: str, value: Any) -> yaml.Node | None:
    """The tagged node for an intrinsic, or None when only the long form says it exactly."""
    tag = SHORT_TAGS.get(key)
    if tag is None:
        return None
    if key == GETATT and _is_dotted_pair(value):
        return dumper.represent_scalar(tag, f"{value[0]}.{value[1]}")
    if key == GETATT and isinstance(value, str):
        return None  # a scalar !GetAtt reads back split in two
    if isinstance(value, str):
        return dumper.represent_scalar(tag, value, style=_style(value))
    if key in SCALAR_ONLY:
        return None
    if isinstance(value, list | tuple):
        return dumper.represent_sequence(tag, value)
    if isinstance(value, dict):
        return dumper.represent_mapping(tag, value)
    return None


def _is_dotted_pair(value: Any) -> bool:
    return (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(part, str) for part in value)
        and "." not in value[0]
        and bool(value[0])
        and bool(value[1])
    )


def _represent_tuple(dumper: _TemplateDumper, data: tuple[Any, ...]) -> yaml.Node:
    return dumper.represent_list(list(data))


# Quote what YAML 1.2 readers retype although YAML 1.1 does not: `1e3` is a number to them.
_TemplateDumper.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
    list("-+.0123456789"),
)
_TemplateDumper.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^0o[0-7]+$"), list("0"))
_TemplateDumper.add_representer(str, _represent_str)
_TemplateDumper.add_representer(dict, _represent_dict)
_TemplateDumper.add_representer(tuple, _represent_tuple)


def dump_template(document: dict[str, Any]) -> str:
    """YAML text of a long-form template: short-form tags, the document's own key order."""
    text: str = yaml.dump(
        document,
        Dumper=_TemplateDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=_WIDTH,
    )
    return text
