"""Give a child's implicit SAM APIs an explicit resource before its ids move.

SAM builds one implicit API per template (``ServerlessRestApi``, ``ServerlessHttpApi``) from
the ``Api``/``HttpApi`` events that name no API. Inlined as is, the child's events would join
the parent's implicit API. Declaring the API SAM would have made (REST: stage ``Prod``; HTTP:
the ``$default`` stage) and pointing the events at it keeps the child's API its own, and its
ids then move with the prefix like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from client.flatten.errors import UnsupportedChildError

_EVENT_SOURCES = ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")


@dataclass(frozen=True)
class _Implicit:
    key: str  # the event property naming the API
    api_id: str
    api_type: str
    properties: dict[str, str] = field(default_factory=dict)

    def declaration(self) -> dict[str, Any]:
        if not self.properties:
            return {"Type": self.api_type}
        return {"Type": self.api_type, "Properties": dict(self.properties)}


_IMPLICIT = {
    "Api": _Implicit(
        "RestApiId", "ServerlessRestApi", "AWS::Serverless::Api", {"StageName": "Prod"}
    ),
    "HttpApi": _Implicit("ApiId", "ServerlessHttpApi", "AWS::Serverless::HttpApi"),
}


def make_apis_explicit(doc: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """A copy of ``doc`` whose API events all name an API resource."""
    resources = dict(doc["Resources"])
    for name, resource in doc["Resources"].items():
        if resource.get("Type") in _EVENT_SOURCES:
            resources[name] = _explicit_events(resource, resources, logical_id)
    return {**doc, "Resources": resources}


def _explicit_events(
    resource: dict[str, Any], resources: dict[str, Any], logical_id: str
) -> dict[str, Any]:
    props = resource.get("Properties")
    if not isinstance(props, dict) or not isinstance(props.get("Events"), dict):
        return resource
    events = {}
    for event_name, event in props["Events"].items():
        kind = event.get("Type") if isinstance(event, dict) else None
        implicit = _IMPLICIT.get(kind) if isinstance(kind, str) else None
        event_props = event.get("Properties", {}) if implicit else None
        if implicit and isinstance(event_props, dict) and implicit.key not in event_props:
            _declare(resources, implicit, logical_id)
            named = {**event_props, implicit.key: {"Ref": implicit.api_id}}
            event = {**event, "Properties": named}
        events[event_name] = event
    return {**resource, "Properties": {**props, "Events": events}}


def _declare(resources: dict[str, Any], implicit: _Implicit, logical_id: str) -> None:
    existing = resources.get(implicit.api_id)
    if existing is None:
        resources[implicit.api_id] = implicit.declaration()
    elif not isinstance(existing, dict) or existing.get("Type") != implicit.api_type:
        raise UnsupportedChildError(
            f"{logical_id}: the child declares {implicit.api_id} itself,"
            " but not as SAM's implicit API"
        )
