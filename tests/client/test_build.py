from __future__ import annotations

import posixpath
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from client.install.build import (
    NestedStack,
    copy_document,
    copy_value,
    has_local_code,
    nested_stack,
    rebase_local_paths,
    rewrite_references,
    stack_tags,
)
from client.install.build_dir import write_build
from client.install.errors import BundleError
from client.template.local_paths import local_paths

STACK = NestedStack("apps/acme/app/1.0.0/template.yaml", "acme/app", "1.0.0")
OURS = [
    {"Key": "nestry:application", "Value": "acme/app"},
    {"Key": "nestry:version", "Value": "1.0.0"},
]


def application(**extra: Any) -> dict[str, Any]:
    properties = {"Location": {"ApplicationId": "acme/app", "SemanticVersion": "^1"}}
    return {"Type": "AWS::Serverless::Application", "Properties": properties, **extra}


def test_an_application_becomes_a_stack_keeping_its_attributes() -> None:
    resource = application(
        Condition="C",
        DependsOn=["X"],
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Delete",
        Metadata={"k": "v"},
    )
    resource["Properties"] |= {
        "Parameters": {"A": {"Ref": "B"}},
        "NotificationARNs": ["arn"],
        "TimeoutInMinutes": 5,
    }
    assert nested_stack(resource, STACK) == {
        "Type": "AWS::CloudFormation::Stack",
        "Properties": {
            "TemplateURL": STACK.template_url,
            "Parameters": {"A": {"Ref": "B"}},
            "NotificationARNs": ["arn"],
            "TimeoutInMinutes": 5,
            "Tags": OURS,
        },
        "Condition": "C",
        "DependsOn": ["X"],
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Delete",
        "Metadata": {"k": "v"},
    }


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (None, OURS),
        (
            {"team": "core", "cost": {"Ref": "Cost"}},
            [{"Key": "team", "Value": "core"}, {"Key": "cost", "Value": {"Ref": "Cost"}}, *OURS],
        ),
        ([{"Key": "a", "Value": "b"}], [{"Key": "a", "Value": "b"}, *OURS]),
        ({"Ref": "TagList"}, {"Ref": "TagList"}),  # only known at deploy time
        ({"nestry:version": "mine"}, [{"Key": "nestry:version", "Value": "mine"}, OURS[0]]),
    ],
)
def test_sam_tag_maps_become_key_value_lists(tags: Any, expected: Any) -> None:
    assert stack_tags(tags, STACK) == expected


def test_rewrite_leaves_the_input_and_other_resources_alone() -> None:
    document = {"Resources": {"App": application(), "Q": {"Type": "AWS::SQS::Queue"}}}
    rewritten = rewrite_references(document, {"App": STACK})
    assert document["Resources"]["App"]["Type"] == "AWS::Serverless::Application"
    assert rewritten["Resources"]["Q"] == {"Type": "AWS::SQS::Queue"}
    assert rewritten["Resources"]["App"]["Type"] == "AWS::CloudFormation::Stack"


def test_local_paths_are_rebased_urls_and_intrinsics_are_not() -> None:
    document = {
        "Globals": {"Function": {"CodeUri": "src/"}},
        "Resources": {
            "F": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "fn/"}},
            "G": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "s3://b/k.zip"}},
            "H": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": {"Bucket": "b"}}},
            "L": {"Type": "AWS::Serverless::Application", "Properties": {"Location": "child.yaml"}},
        },
    }
    rebased = rebase_local_paths(document, "../..")
    assert rebased["Globals"]["Function"]["CodeUri"] == "../../src"
    resources = rebased["Resources"]
    assert resources["F"]["Properties"]["CodeUri"] == "../../fn"
    assert resources["G"]["Properties"]["CodeUri"] == "s3://b/k.zip"
    assert resources["H"]["Properties"]["CodeUri"] == {"Bucket": "b"}
    assert resources["L"]["Properties"]["Location"] == "../../child.yaml"
    assert has_local_code(document)
    assert not has_local_code({"Resources": {"G": resources["G"]}})


def test_global_api_definitions_are_rebased_too() -> None:
    document = {
        "Globals": {"Api": {"DefinitionUri": "api.yaml"}, "HttpApi": {"DefinitionUri": "h.yaml"}},
        "Resources": {},
    }
    rebased = rebase_local_paths(document, "apps/acme/app/1.0.0")
    assert rebased["Globals"]["Api"]["DefinitionUri"] == "apps/acme/app/1.0.0/api.yaml"
    assert rebased["Globals"]["HttpApi"]["DefinitionUri"] == "apps/acme/app/1.0.0/h.yaml"


def test_every_local_path_the_template_model_names_is_rebased() -> None:
    """One list of where a template names a file (client.template.local_paths): the build
    rebases the same places publish and install check, nested and included ones too."""
    document = {
        "Globals": {"LayerVersion": {"ContentUri": "layer/"}},
        "Metadata": {"AWS::ServerlessRepo::Application": {"ReadmeUrl": "README.md"}},
        "Resources": {
            "G": {
                "Type": "AWS::Serverless::GraphQLApi",
                "Properties": {
                    "SchemaUri": "schema.graphql",
                    "Resolvers": {"Query": {"get": {"CodeUri": "resolvers/get.js"}}},
                },
            },
            "S": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"DefinitionS3Location": "machine.json"},
            },
            "I": {
                "Type": "AWS::SNS::Topic",
                "Properties": {
                    "Tags": [
                        {
                            "Fn::Transform": {
                                "Name": "AWS::Include",
                                "Parameters": {"Location": "tags.yaml"},
                            }
                        }
                    ]
                },
            },
        },
    }
    rebased = rebase_local_paths(document, "../up")
    before = local_paths(document)
    after = {local.key_path: local.value for local in local_paths(rebased)}
    assert len(before) == 6
    for local in before:
        expected = posixpath.normpath(posixpath.join("../up", local.value))
        assert after[local.key_path] == expected, local.where
    assert local_paths(document) == before  # the input is left alone


def test_failed_write_leaves_the_previous_build(tmp_path: Path) -> None:
    out = tmp_path / ".nestry" / "build"
    write_build(out, b"first", [], {})
    digest = "sha256:" + "0" * 64
    pin = SimpleNamespace(application="acme/x", version="1.0.0", bundle_digest=digest)
    node = SimpleNamespace(path="X", pin=pin, children=[])
    with pytest.raises(BundleError):
        write_build(out, b"second", [node], {digest: b"not a tarball"})  # type: ignore[list-item]
    assert (out / "template.yaml").read_bytes() == b"first"
    assert sorted(p.name for p in out.parent.iterdir()) == ["build"]


def test_swap_replaces_a_previous_build(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_build(out, b"first", [], {})
    write_build(out, b"second", [], {})
    assert (out / "template.yaml").read_bytes() == b"second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_copy_document_is_deep_and_equal() -> None:
    shared: list[Any] = ["a", {"Ref": "B"}]
    properties = {"L": shared, "M": shared, "N": 1.5}
    document: dict[str, Any] = {"Resources": {"Q": {"Properties": properties}}}
    copied = copy_document(document)
    assert copied == document
    assert repr(copied) == repr(document)  # the render cache's key sees no difference
    copied["Resources"]["Q"]["Properties"]["L"][1]["Ref"] = "C"
    assert document["Resources"]["Q"]["Properties"]["L"][1] == {"Ref": "B"}
    # An alias is copied twice: the dumper writes it out in full either way.
    assert copied["Resources"]["Q"]["Properties"]["M"][1] == {"Ref": "B"}


def test_copy_value_deep_copies_what_the_loader_does_not_build() -> None:
    odd: dict[str, Any] = {"S": {1, 2}, "T": ("x", ["y"])}
    copied = copy_value(odd)
    assert copied == odd
    assert copied["S"] is not odd["S"]
    assert copied["T"][1] is not odd["T"][1]
