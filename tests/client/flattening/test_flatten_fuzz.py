"""Malformed children and parents end in a FlattenError or a result, never a traceback."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from client.errors import NestryError
from client.flatten import FlattenError, flatten_reference

KEYS = st.sampled_from(
    [
        "Ref",
        "Fn::GetAtt",
        "Fn::Sub",
        "Fn::If",
        "Fn::And",
        "Fn::FindInMap",
        "Condition",
        "DependsOn",
        "Type",
        "Properties",
        "Value",
        "Export",
        "A",
        "Default",
        "Events",
    ]
)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from(["A", "App", "B.C", "${A}", "x"])
)
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(KEYS, children, max_size=3)
    ),
    max_leaves=15,
)
SECTIONS = st.sampled_from(
    ["Resources", "Parameters", "Conditions", "Mappings", "Outputs", "Globals", "Transform"]
)
DOCS = st.dictionaries(SECTIONS, st.dictionaries(st.sampled_from(["A", "B", "App"]), TREES))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(DOCS, DOCS)
def test_no_traceback(child: dict[str, Any], extra_parent: dict[str, Any]) -> None:
    parent: dict[str, Any] = {**extra_parent}
    resources = parent.get("Resources") if isinstance(parent.get("Resources"), dict) else {}
    parent["Resources"] = {**resources, "App": {"Type": "AWS::CloudFormation::Stack"}}
    try:
        flatten_reference(parent, "App", child)
    except FlattenError:
        pass
    except NestryError as error:  # pragma: no cover - a wrong class is still a failure
        raise AssertionError(f"not a FlattenError: {error!r}") from error


IDS = st.sampled_from(["A", "B", "Fn", "IsOn"])
RESOURCE = st.fixed_dictionaries(
    {
        "Type": st.sampled_from(
            [
                "AWS::SNS::Topic",
                "AWS::Serverless::Function",
                "AWS::Serverless::Api",
                "AWS::CloudFormation::Stack",
            ]
        ),
        "Properties": st.dictionaries(KEYS, TREES, max_size=3),
    },
    optional={"Condition": st.one_of(IDS, TREES), "DependsOn": st.one_of(IDS, TREES)},
)
SHAPED = st.fixed_dictionaries(
    {"Resources": st.dictionaries(IDS, RESOURCE, min_size=1, max_size=3)},
    optional={
        "Parameters": st.dictionaries(
            IDS,
            st.fixed_dictionaries(
                {"Type": st.sampled_from(["String", "CommaDelimitedList", "Number"])},
                optional={"Default": SCALARS, "AllowedValues": st.lists(SCALARS, max_size=2)},
            ),
        ),
        "Conditions": st.dictionaries(IDS, TREES, max_size=3),
        "Outputs": st.dictionaries(
            IDS, st.fixed_dictionaries({"Value": TREES}, optional={"Export": TREES})
        ),
        "Globals": st.dictionaries(st.sampled_from(["Function", "Api"]), TREES, max_size=2),
        "Mappings": st.dictionaries(IDS, TREES, max_size=2),
    },
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(SHAPED, st.dictionaries(IDS, TREES, max_size=3), TREES)
def test_no_traceback_on_template_shaped_input(
    child: dict[str, Any], passed: dict[str, Any], reads: Any
) -> None:
    parent = {
        "Resources": {
            "App": {"Type": "AWS::CloudFormation::Stack", "Properties": {"Parameters": passed}},
            "Reader": {"Type": "AWS::SNS::Topic", "Properties": {"X": reads}},
        }
    }
    with contextlib.suppress(FlattenError):
        flatten_reference(parent, "App", child, keep_exports=True)
