"""Extraction: structure checks, parameters, outputs, conditions and nested references."""

from __future__ import annotations

from typing import Any

import pytest

from client.errors import InvalidReferenceError, TemplateStructureError
from client.names import AppId
from client.template import LocationKind, Output, Parameter, dump_template, extract, parse_template

TOPIC = {"Type": "AWS::SNS::Topic"}


def _template(**sections: Any) -> dict[str, Any]:
    return {"Resources": {"Topic": TOPIC}, **sections}


def _app(location: Any, **extra: Any) -> dict[str, Any]:
    return {"Type": "AWS::Serverless::Application", "Properties": {"Location": location}, **extra}


# --- structure -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "path", "text"),
    [
        ({"Description": "x"}, "Resources", "has no Resources"),
        ({"Resources": {}}, "Resources", "has an empty or invalid Resources"),
        ({"Resources": ["a"]}, "Resources", "has an empty or invalid Resources"),
        ({"Resources": {"Topic": "x"}}, "Resources.Topic", "a resource must be a mapping"),
        ({"Resources": {"Topic": {}}}, "Resources.Topic.Type", "needs a Type"),
        ({"Resources": {"Topic": {"Type": 3}}}, "Resources.Topic.Type", "needs a Type"),
        ({"Resources": {"My-Topic": TOPIC}}, "Resources.My-Topic", "letters and digits only"),
        (_template(Conditions=["a"]), "Conditions", "must be a mapping"),
        (_template(Parameters={"P": {}}), "Parameters.P", "a parameter needs a Type"),
        (_template(Parameters=["P"]), "Parameters", "must be a mapping"),
        (_template(Outputs={"O": {"Description": "d"}}), "Outputs.O", "needs a Value"),
        (_template(Outputs={"O": {"Value": 1, "Export": "x"}}), "Outputs.O.Export", "Name"),
    ],
)
def test_structure_errors_name_the_source_and_path(
    document: dict[str, Any], path: str, text: str
) -> None:
    with pytest.raises(TemplateStructureError) as caught:
        extract(document, source="t.yaml")
    assert caught.value.path == path
    assert str(caught.value).startswith(f"t.yaml: {path}: ")
    assert text in str(caught.value)


def test_template_basics() -> None:
    template = extract(
        _template(
            Transform=["AWS::Serverless-2016-10-31"], Conditions={"C": {"Fn::Equals": [1, 1]}}
        ),
        source="t.yaml",
    )
    assert template.source == "t.yaml"
    assert template.is_sam
    assert template.conditions == {"C": {"Fn::Equals": [1, 1]}}
    assert template.resources == {"Topic": TOPIC}
    assert template.metadata is None
    assert template.references == ()


def test_a_plain_cloudformation_template_is_not_sam() -> None:
    assert not extract(_template()).is_sam


# --- parameters ------------------------------------------------------------------------------


def test_every_parameter_field_is_extracted_and_given_back() -> None:
    definition = {
        "Type": "Number",
        "Default": "5",
        "AllowedValues": ["1", "5", "10"],
        "AllowedPattern": "[0-9]+",
        "MinLength": 1,
        "MaxLength": 3,
        "MinValue": 1,
        "MaxValue": 10.5,
        "NoEcho": True,
        "Description": "How many",
        "ConstraintDescription": "1 to 10",
    }
    parameter = extract(_template(Parameters={"Count": definition})).parameters["Count"]
    assert parameter == Parameter(
        name="Count",
        type="Number",
        default="5",
        allowed_values=("1", "5", "10"),
        allowed_pattern="[0-9]+",
        min_length=1,
        max_length=3,
        min_value=1,
        max_value=10.5,
        no_echo=True,
        description="How many",
        constraint_description="1 to 10",
    )
    assert parameter.to_cfn() == definition
    assert not parameter.required


def test_parameter_values_are_normalised_the_way_cloudformation_sees_them() -> None:
    text = """
Parameters:
  Count: {Type: Number, Default: 5, AllowedValues: [1, 5], MinValue: '0', MaxValue: 9.0}
  Ratio: {Type: Number, Default: 1.5}
  Enabled: {Type: String, Default: true, AllowedValues: [true, false], NoEcho: 'false'}
  Names: {Type: CommaDelimitedList, Default: [a, b, 3]}
  Empty: {Type: String, Default: ''}
  Needed: {Type: String}
Resources: {Topic: {Type: AWS::SNS::Topic}}
"""
    parameters = parse_template(text).parameters
    assert parameters["Count"].default == "5"
    assert parameters["Count"].allowed_values == ("1", "5")
    assert (parameters["Count"].min_value, parameters["Count"].max_value) == (0, 9)
    assert parameters["Ratio"].default == "1.5"
    assert parameters["Enabled"].default == "true"
    assert parameters["Enabled"].allowed_values == ("true", "false")
    assert parameters["Enabled"].no_echo is False
    assert parameters["Names"].default == "a,b,3"
    assert parameters["Empty"].default == ""
    assert not parameters["Empty"].required
    assert parameters["Needed"].required
    assert parameters["Needed"].to_cfn() == {"Type": "String"}


@pytest.mark.parametrize(
    ("field", "value", "text"),
    [
        ("Default", {"Ref": "AWS::Region"}, "must be a literal value"),
        ("MinLength", "x", "must be a number"),
        ("MaxLength", 2.5, "must be a whole number"),
        ("MaxValue", True, "must be a number"),
        ("NoEcho", "maybe", "must be true or false"),
        ("AllowedValues", "a,b", "AllowedValues must be a list"),
    ],
)
def test_bad_parameter_fields_are_refused(field: str, value: Any, text: str) -> None:
    parameters = {"P": {"Type": "String", field: value}}
    with pytest.raises(TemplateStructureError) as caught:
        extract(_template(Parameters=parameters))
    assert text in str(caught.value)
    assert caught.value.path is not None and caught.value.path.startswith("Parameters.P")


# --- outputs ---------------------------------------------------------------------------------


def test_outputs_keep_intrinsics_export_and_condition() -> None:
    outputs = {
        "Arn": {
            "Description": "The topic",
            "Condition": "IsProd",
            "Value": {"Ref": "Topic"},
            "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-Arn"}},
        },
        "Plain": {"Value": "x"},
    }
    extracted = extract(_template(Outputs=outputs)).outputs
    assert extracted["Arn"] == Output(
        name="Arn",
        value={"Ref": "Topic"},
        description="The topic",
        export_name={"Fn::Sub": "${AWS::StackName}-Arn"},
        condition="IsProd",
    )
    assert extracted["Arn"].to_cfn() == outputs["Arn"]
    assert extracted["Plain"].to_cfn() == {"Value": "x"}


# --- references ------------------------------------------------------------------------------


def test_a_registry_reference_is_extracted_whole() -> None:
    text = """
Resources:
  Tweets:
    Type: AWS::Serverless::Application
    Condition: Enabled
    DependsOn: Topic
    Properties:
      Location:
        ApplicationId: registry.example.com/acme/twitter-event-source
        SemanticVersion: ^2.0.0
      Parameters: {SearchText: '#serverless', TopicArn: !Ref Topic}
  Topic: {Type: AWS::SNS::Topic}
"""
    template = parse_template(text)
    reference = template.reference("Tweets")
    assert reference.kind is LocationKind.REGISTRY
    assert reference.application_id == AppId("acme", "twitter-event-source", "registry.example.com")
    assert reference.version_spec == "^2.0.0"
    assert reference.parameters == {"SearchText": "#serverless", "TopicArn": {"Ref": "Topic"}}
    assert reference.condition == "Enabled"
    assert reference.depends_on == ("Topic",)
    assert reference.properties is template.resources["Tweets"]["Properties"]
    assert reference.resource is template.resources["Tweets"]
    assert reference.sar_application_id is None
    assert reference.location is None
    assert "CAPABILITY_AUTO_EXPAND" in template.capabilities


def test_reference_lookup_of_an_unknown_id_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        extract(_template()).reference("Nope")


@pytest.mark.parametrize(
    ("location", "kind"),
    [
        ("child/template.yaml", LocationKind.LOCAL),
        ("../shared/app.yaml", LocationKind.LOCAL),
        ("https://bucket.s3.amazonaws.com/app.yaml", LocationKind.URL),
        ("s3://bucket/app.yaml", LocationKind.URL),
    ],
)
def test_string_locations(location: str, kind: LocationKind) -> None:
    template = extract({"Resources": {"Child": _app(location, DependsOn=["A", "B"])}})
    reference = template.reference("Child")
    assert reference.kind is kind
    assert reference.location == location
    assert reference.depends_on == ("A", "B")
    assert reference.parameters == {}
    assert reference.application_id is None


def test_a_sar_arn_is_recorded_untouched() -> None:
    arn = "arn:aws:serverlessrepo:us-east-1:123456789012:applications/app"
    reference = extract(
        {"Resources": {"Sar": _app({"ApplicationId": arn, "SemanticVersion": "1.0.0"})}}
    ).reference("Sar")
    assert (reference.kind, reference.sar_application_id) == (LocationKind.SAR, arn)
    assert reference.version_spec == "1.0.0"


def test_a_computed_application_id_is_a_sar_reference_without_an_arn() -> None:
    location = {"ApplicationId": {"Fn::FindInMap": ["M", "R", "K"]}, "SemanticVersion": "1.0.0"}
    reference = extract({"Resources": {"Sar": _app(location)}}).reference("Sar")
    assert reference.kind is LocationKind.SAR
    assert reference.sar_application_id is None
    assert reference.properties["Location"]["ApplicationId"] == {"Fn::FindInMap": ["M", "R", "K"]}


@pytest.mark.parametrize(
    ("resource", "text", "path"),
    [
        (
            _app({"ApplicationId": "acme/app"}),
            "Child names no SemanticVersion",
            "Resources.Child.Properties.Location.SemanticVersion",
        ),
        (
            _app({"ApplicationId": "acme/app", "SemanticVersion": 1.0}),
            "YAML read SemanticVersion 1.0 as a float",
            "Resources.Child.Properties.Location.SemanticVersion",
        ),
        (
            _app({"ApplicationId": "acme/app", "SemanticVersion": ">=1 <<2"}),
            "Child: SemanticVersion is neither a range nor a dist-tag: invalid range '>=1 <<2'",
            "Resources.Child.Properties.Location.SemanticVersion",
        ),
        (
            _app({"ApplicationId": "Acme_Corp/app", "SemanticVersion": "1.0.0"}),
            "Child: invalid namespace 'Acme_Corp'",
            "Resources.Child.Properties.Location.ApplicationId",
        ),
        (
            _app({"SemanticVersion": "1.0.0"}),
            "Location must be a path, a URL, or a mapping",
            "Resources.Child.Properties.Location",
        ),
        (_app({"Fn::Sub": "x"}), "Location must be", "Resources.Child.Properties.Location"),
        ({"Type": "AWS::Serverless::Application"}, "Child has no Properties.Location", None),
        (
            {**_app("a.yaml"), "Properties": {"Location": "a.yaml", "Parameters": ["x"]}},
            "Parameters must be a mapping",
            "Resources.Child.Properties.Parameters",
        ),
        (_app("a.yaml", DependsOn={"x": 1}), "DependsOn must be", "Resources.Child.DependsOn"),
        (_app("a.yaml", Condition=["x"]), "Condition must name", "Resources.Child.Condition"),
    ],
)
def test_bad_references_name_the_logical_id(
    resource: dict[str, Any], text: str, path: str | None
) -> None:
    with pytest.raises(InvalidReferenceError) as caught:
        extract({"Resources": {"Child": resource}}, source="t.yaml")
    assert text in str(caught.value)
    assert caught.value.path == (path or "Resources.Child")
    assert str(caught.value).startswith("t.yaml: Resources.Child")


def test_extracted_templates_dump_back_to_their_document() -> None:
    text = "Resources:\n  Child:\n    Type: AWS::Serverless::Application\n    Properties:\n"
    text += "      Location: {ApplicationId: acme/app, SemanticVersion: '1.0'}\n"
    template = parse_template(text)
    assert template.reference("Child").version_spec == "1.0"
    assert "SemanticVersion: '1.0'" in dump_template(template.document)


@pytest.mark.parametrize(
    "spec", ["1.2.3", "^2.0.0", "~1.2", "1.x", ">=1.0.0 <2", "1 || 2", "latest"]
)
def test_registry_versions_may_be_exact_ranges_or_dist_tags(spec: str) -> None:
    location = {"ApplicationId": "acme/app", "SemanticVersion": spec}
    assert extract({"Resources": {"Child": _app(location)}}).reference("Child").version_spec == spec
