"""Properties of the intrinsic walk over generated fragments."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from client.flatten.walk import Rewriter, rewrite

NAMES = st.sampled_from(["Queue", "Topic", "Cond", "Map", "AWS::Region", "Other"])
LOCAL = ["Queue", "Topic"]

_chunk = st.one_of(
    st.sampled_from(["arn:", "-", "/", "$", "}", "{"]),
    NAMES.map(lambda n: "${" + n + "}"),
    NAMES.map(lambda n: "${!" + n + "}"),
    st.sampled_from(LOCAL).map(lambda n: "${" + n + ".Arn}"),
)
SUB_TEXT = st.lists(_chunk, max_size=6).map("".join)


def _tree(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(["A", "B", "Properties"]), children, max_size=3),
        NAMES.map(lambda n: {"Ref": n}),
        st.tuples(NAMES, st.sampled_from(["Arn", "Outputs.X"])).map(
            lambda t: {"Fn::GetAtt": list(t)}
        ),
        st.tuples(NAMES, st.sampled_from(["Arn", "Name"])).map(
            lambda t: {"Fn::GetAtt": f"{t[0]}.{t[1]}"}
        ),
        SUB_TEXT.map(lambda s: {"Fn::Sub": s}),
        st.tuples(SUB_TEXT, children).map(lambda t: {"Fn::Sub": [t[0], {"Queue": t[1]}]}),
        st.tuples(NAMES, children, children).map(lambda t: {"Fn::If": list(t)}),
        st.lists(NAMES.map(lambda n: {"Condition": n}), min_size=2, max_size=3).map(
            lambda items: {"Fn::And": items}
        ),
        st.tuples(NAMES, children).map(lambda t: {"Fn::FindInMap": [t[0], t[1], "k"]}),
    )


FRAGMENTS = st.recursive(st.one_of(st.text(max_size=5), st.integers(), NAMES), _tree, max_leaves=12)


class Prefix(Rewriter):
    def __init__(self, add: bool) -> None:
        self.add = add

    def _name(self, name: str) -> str:
        if self.add:
            return "P" + name if name in LOCAL else name
        return name[1:] if name.startswith("P") and name[1:] in LOCAL else name

    def ref(self, target: str) -> Any:
        return {"Ref": self._name(target)}

    def getatt(self, resource: str, attribute: Any) -> Any:
        return {"Fn::GetAtt": [self._name(resource), attribute]}

    def condition(self, name: str) -> str:
        return self._name(name)

    def mapping(self, name: str) -> str:
        return self._name(name)


@given(FRAGMENTS)
def test_the_identity_rewrite_changes_nothing(fragment: Any) -> None:
    assert rewrite(fragment, Rewriter()) == fragment


@given(FRAGMENTS)
def test_renaming_is_undone_by_the_inverse_renaming(fragment: Any) -> None:
    renamed = rewrite(fragment, Prefix(add=True))
    assert rewrite(renamed, Prefix(add=False)) == fragment


@given(FRAGMENTS)
def test_plain_strings_are_never_renamed(fragment: Any) -> None:
    wrapped = {"Plain": "Queue", "List": ["Topic", "${Queue}"], "Nested": fragment}
    renamed = rewrite(wrapped, Prefix(add=True))
    assert (renamed["Plain"], renamed["List"]) == ("Queue", ["Topic", "${Queue}"])
