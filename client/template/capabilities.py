"""The capabilities a deployment must acknowledge, by SAR's rules.

SAR's "Application capabilities" page: IAM resources need CAPABILITY_IAM (CAPABILITY_NAMED_IAM
when they carry a custom name); resource policies need CAPABILITY_RESOURCE_POLICY; nested
applications need CAPABILITY_AUTO_EXPAND. SAM resources count for what they expand into.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any

from client.errors import NestryError
from client.template.loader import load_template
from client.template.nodes import nodes

IAM = "CAPABILITY_IAM"
NAMED_IAM = "CAPABILITY_NAMED_IAM"
RESOURCE_POLICY = "CAPABILITY_RESOURCE_POLICY"
AUTO_EXPAND = "CAPABILITY_AUTO_EXPAND"

# IAM resource type -> the property that gives it a custom name (None: it has no such name).
IAM_NAMES: dict[str, str | None] = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::IAM::Policy": None,
    "AWS::IAM::AccessKey": None,
    "AWS::IAM::UserToGroupAddition": None,
    "AWS::IAM::RolePolicy": None,
    "AWS::IAM::UserPolicy": None,
    "AWS::IAM::GroupPolicy": None,
}
RESOURCE_POLICIES = frozenset(
    {
        "AWS::Lambda::Permission",
        "AWS::Lambda::LayerVersionPermission",
        "AWS::Events::EventBusPolicy",
        "AWS::IAM::Policy",
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        "AWS::S3::BucketPolicy",
        "AWS::SQS::QueuePolicy",
        "AWS::SNS::TopicPolicy",
    }
)
NESTED = frozenset({"AWS::Serverless::Application"})
# SAM event sources that SAM turns into an AWS::Lambda::Permission (or a queue/topic policy).
PERMISSION_EVENTS = frozenset(
    {
        "Api",
        "HttpApi",
        "S3",
        "SNS",
        "CloudWatchEvent",
        "EventBridgeRule",
        "Schedule",
        "ScheduleV2",
        "CloudWatchLogs",
        "IoTRule",
        "AlexaSkill",
        "Cognito",
    }
)
# SAM resources that create an IAM role unless given one.
ROLE_CREATORS = {"AWS::Serverless::Function": "Role", "AWS::Serverless::StateMachine": "Role"}


def required_capabilities(document: dict[str, Any]) -> tuple[str, ...]:
    """The sorted capabilities a template needs to deploy."""
    found: set[str] = set()
    if document.get("Transform") or _calls_a_macro(document):
        found.add(AUTO_EXPAND)  # macros, SAM included, expand only when acknowledged
    resources = document.get("Resources")
    if isinstance(resources, dict):
        for resource in resources.values():
            if isinstance(resource, dict):
                found |= _resource_capabilities(resource, _globals(document, resource))
    return tuple(sorted(found))


def _globals(document: dict[str, Any], resource: dict[str, Any]) -> dict[str, Any]:
    """SAM's Globals for this resource's type (a Role set there spares every function one)."""
    kind = resource.get("Type")
    if not isinstance(kind, str) or not kind.startswith("AWS::Serverless::"):
        return {}
    section = document.get("Globals")
    found = (
        section.get(kind.removeprefix("AWS::Serverless::")) if isinstance(section, dict) else None
    )
    return found if isinstance(found, dict) else {}


def _resource_capabilities(resource: dict[str, Any], defaults: dict[str, Any]) -> set[str]:
    kind = resource.get("Type")
    own = resource.get("Properties")
    properties = {**defaults, **(own if isinstance(own, dict) else {})}
    found: set[str] = set()
    if kind in IAM_NAMES:
        found.add(IAM)
        name_property = IAM_NAMES[kind]
        if name_property is not None and properties.get(name_property) is not None:
            found.add(NAMED_IAM)
    if kind in RESOURCE_POLICIES:
        found.add(RESOURCE_POLICY)
    if kind in NESTED:
        found.add(AUTO_EXPAND)
    if kind in ROLE_CREATORS and properties.get(ROLE_CREATORS[kind]) is None:
        found.add(IAM)
    if kind == "AWS::Serverless::Function":
        found |= _function_capabilities(properties)
    if kind == "AWS::Serverless::Connector":
        found.add(IAM)  # connectors write IAM policies between the resources they connect
    return found


def _function_capabilities(properties: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    events = properties.get("Events")
    if isinstance(events, dict):
        for event in events.values():
            if isinstance(event, dict) and event.get("Type") in PERMISSION_EVENTS:
                found.add(RESOURCE_POLICY)
    if properties.get("FunctionUrlConfig") is not None:
        found.add(RESOURCE_POLICY)  # the URL's AWS::Lambda::Permission
    if properties.get("DeploymentPreference") is not None:
        found.add(IAM)  # SAM creates a CodeDeploy service role
    return found


def _calls_a_macro(document: Any) -> bool:
    """True when an ``Fn::Transform`` (a macro snippet) appears anywhere."""
    return any(isinstance(node, dict) and "Fn::Transform" in node for node in nodes(document))


MAX_CHILD_TEMPLATES = 200  # local children followed per version (realworld has a handful)


def tree_capabilities(
    document: dict[str, Any],
    read: Callable[[str], bytes | None],
    template_dir: str = "",
) -> tuple[str, ...]:
    """The capabilities of ``document`` and of every local child template it nests (a string
    ``Location`` of an ``AWS::Serverless::Application``), recursively: deploying the parent
    deploys them all, so the command it prints must acknowledge theirs (issue 14, item 2).

    ``read(path)`` returns the bytes at a ``/``-separated path relative to the version's root
    (a bundle, or the project directory), or None when there is none; ``template_dir`` is
    ``document``'s directory there. Unreadable or unparsable children add nothing: the
    publish and install checks report them.
    """
    found = set(required_capabilities(document))
    pending = [(document, template_dir)]
    seen: set[str] = set()
    while pending and len(seen) < MAX_CHILD_TEMPLATES:
        current, directory = pending.pop()
        for location in _local_locations(current):
            path = posixpath.normpath(posixpath.join(directory, location))
            if path in seen or path.startswith("../") or path == "..":
                continue
            seen.add(path)
            data = read(path)
            if data is None:
                continue
            try:
                child = load_template(data, source=path)
            except NestryError:
                continue
            found |= set(required_capabilities(child))
            pending.append((child, posixpath.dirname(path)))
    return tuple(sorted(found))


def _local_locations(document: dict[str, Any]) -> list[str]:
    resources = document.get("Resources")
    found = []
    for resource in resources.values() if isinstance(resources, dict) else ():
        if not isinstance(resource, dict) or resource.get("Type") not in NESTED:
            continue
        properties = resource.get("Properties")
        location = properties.get("Location") if isinstance(properties, dict) else None
        if isinstance(location, str) and "://" not in location and not location.startswith("/"):
            found.append(location)
    return found
