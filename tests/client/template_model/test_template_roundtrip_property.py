"""Property: any JSON-like long-form document survives dump -> load unchanged."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from client.template import dump_template, load_template
from client.template.intrinsics import LONG_FORMS

# Any text YAML can carry: no surrogates; YAML forbids most C0/C1 controls even when escaped
# on the way in, so the dumper must escape them and the loader must read them back.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
KEYS = st.one_of(TEXT, st.sampled_from(sorted(LONG_FORMS.values())))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(KEYS, inner, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=5))
def test_dump_then_load_is_the_identity(document: dict[str, Any]) -> None:
    dumped = dump_template(document)
    assert load_template(dumped) == document
    assert dump_template(load_template(dumped)) == dumped
