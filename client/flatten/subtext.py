"""``Fn::Sub`` strings: rewrite the ``${Name}`` / ``${Resource.Attr}`` variables they contain.

Each variable that is not bound by the Sub's own variable map (and is not a ``${!Literal}``)
asks ``ref``/``getatt`` for its replacement node. A ``Ref``/``GetAtt`` result goes back into the
text, a string literal is inlined with ``${`` escaped, anything else is bound to a new variable,
turning the Sub into its ``[text, {vars}]`` form.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from client.flatten.ids import fresh_id

Node = Any
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def rewrite_sub(
    arg: Node,
    walk: Callable[[Node], Node],
    ref: Callable[[str], Node],
    getatt: Callable[[str, Node], Node],
) -> Node:
    if isinstance(arg, str):
        text, variables, list_form = arg, {}, False
    elif _is_list_form(arg):
        text, variables, list_form = arg[0], {k: walk(v) for k, v in arg[1].items()}, True
    else:
        return {"Fn::Sub": walk(arg)}
    targets = {
        name: _target(name, ref, getatt) for name in sub_variables(text) if name not in variables
    }
    texts = _texts_for(targets, set(variables))
    new_text = _VARIABLE.sub(lambda m: texts.get(m.group(1), m.group(0)), text)
    bound = {**variables, **_bound(targets, texts)}
    if bound or list_form:
        return {"Fn::Sub": [new_text, bound]}
    if targets and not sub_variables(new_text):
        # Every variable became literal text: a Sub with nothing to substitute is just a string.
        return new_text.replace("${!", "${")
    return {"Fn::Sub": new_text}


def sub_variables(text: str) -> list[str]:
    """The variable names a Sub text reads, in order, without ``${!...}`` literals."""
    return [m.group(1) for m in _VARIABLE.finditer(text) if not m.group(1).startswith("!")]


def escape_literal(value: str) -> str:
    """Text that a Sub renders as ``value`` itself."""
    return value.replace("${", "${!")


def _is_list_form(arg: Node) -> bool:
    return (
        isinstance(arg, list)
        and len(arg) == 2
        and isinstance(arg[0], str)
        and isinstance(arg[1], dict)
    )


def _target(name: str, ref: Callable[[str], Node], getatt: Callable[[str, Node], Node]) -> Node:
    if "." in name and "::" not in name:
        resource, attribute = name.split(".", 1)
        return getatt(resource, attribute)
    return ref(name)


def _inline_text(node: Node) -> str | None:
    """How ``node`` reads inside Sub text, or None when it must be bound to a variable."""
    if isinstance(node, str):
        # A "$" or "{" at an edge could pair with the text around it into a new ${...}.
        edge = node.startswith("{") or node.endswith("$")
        return None if edge else escape_literal(node)
    if not isinstance(node, dict) or len(node) != 1:
        return None
    ((key, arg),) = node.items()
    if key == "Ref" and isinstance(arg, str):
        return "${" + arg + "}"
    if key == "Fn::GetAtt" and isinstance(arg, str):
        return "${" + arg + "}"
    if key == "Fn::GetAtt" and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
        return "${" + ".".join(arg) + "}"
    return None


def _texts_for(targets: dict[str, Node], taken: set[str]) -> dict[str, str]:
    texts = {name: t for name, node in targets.items() if (t := _inline_text(node)) is not None}
    # Bound names must not shadow any name the rewritten text still reads.
    taken |= {m.group(1) for t in texts.values() for m in _VARIABLE.finditer(t)}
    for name in targets:
        if name not in texts:
            var = fresh_id(_UNSAFE.sub("", name) or "Var", taken)
            taken.add(var)
            texts[name] = "${" + var + "}"
    return texts


def _bound(targets: dict[str, Node], texts: dict[str, str]) -> dict[str, Node]:
    return {texts[name][2:-1]: node for name, node in targets.items() if _inline_text(node) is None}
