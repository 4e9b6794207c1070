"""The template model: typed, immutable values extracted from a loaded template."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from client.names import AppId

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What a template may cost us before we refuse to read it."""

    max_bytes: int = MIB  # CloudFormation's own limit for a template body in S3
    max_depth: int = 100
    max_alias_nodes: int = 10_000  # nodes reached through YAML aliases, counted expanded


DEFAULT_LIMITS = Limits()


class LocationKind(StrEnum):
    """Where an ``AWS::Serverless::Application`` comes from."""

    REGISTRY = "registry"
    SAR = "sar"
    LOCAL = "local"
    URL = "url"


@dataclass(frozen=True)
class Parameter:
    """A CloudFormation parameter; values are kept the way CloudFormation sees them (strings)."""

    name: str
    type: str
    default: str | None = None
    allowed_values: tuple[str, ...] | None = None
    allowed_pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_value: int | float | None = None
    max_value: int | float | None = None
    no_echo: bool = False
    description: str | None = None
    constraint_description: str | None = None

    @property
    def required(self) -> bool:
        return self.default is None

    def to_cfn(self) -> dict[str, Any]:
        """The CloudFormation definition of this parameter, in the documented key order."""
        fields: list[tuple[str, Any]] = [
            ("Type", self.type),
            ("Default", self.default),
            (
                "AllowedValues",
                list(self.allowed_values) if self.allowed_values is not None else None,
            ),
            ("AllowedPattern", self.allowed_pattern),
            ("MinLength", self.min_length),
            ("MaxLength", self.max_length),
            ("MinValue", self.min_value),
            ("MaxValue", self.max_value),
            ("NoEcho", True if self.no_echo else None),
            ("Description", self.description),
            ("ConstraintDescription", self.constraint_description),
        ]
        return {key: value for key, value in fields if value is not None}


@dataclass(frozen=True)
class Output:
    """A template output; ``value`` and ``export_name`` may be intrinsics (long form)."""

    name: str
    value: Any
    description: str | None = None
    export_name: Any = None
    condition: str | None = None

    def to_cfn(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if self.description is not None:
            result["Description"] = self.description
        if self.condition is not None:
            result["Condition"] = self.condition
        result["Value"] = self.value
        if self.export_name is not None:
            result["Export"] = {"Name": self.export_name}
        return result


@dataclass(frozen=True)
class AppMetadata:
    """``Metadata: AWS::ServerlessRepo::Application``, validated the way SAR does."""

    name: str
    description: str
    author: str
    spdx_license_id: str | None = None
    license_url: str | None = None
    readme_url: str | None = None
    labels: tuple[str, ...] = ()
    home_page_url: str | None = None
    semantic_version: str | None = None
    source_code_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The snake_case shape of the registry's HTTP documents."""
        return {
            "name": self.name,
            "description": self.description,
            "author": self.author,
            "spdx_license_id": self.spdx_license_id,
            "license_url": self.license_url,
            "readme_url": self.readme_url,
            "labels": list(self.labels),
            "home_page_url": self.home_page_url,
            "semantic_version": self.semantic_version,
            "source_code_url": self.source_code_url,
        }


@dataclass(frozen=True)
class Reference:
    """One ``AWS::Serverless::Application`` resource of a template.

    ``application_id`` is set for registry references, ``sar_application_id`` for SAR ARNs
    (None when the template computes the id with an intrinsic), ``location`` for local paths
    and URLs. ``version_spec`` is the SemanticVersion text: exact, range or dist-tag.
    """

    logical_id: str
    kind: LocationKind
    application_id: AppId | None = None
    sar_application_id: str | None = None
    version_spec: str | None = None
    location: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict, hash=False)
    condition: str | None = None
    depends_on: tuple[str, ...] = ()
    properties: dict[str, Any] = field(default_factory=dict, hash=False)
    resource: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Template:
    """A loaded template with everything nestry needs extracted from it."""

    source: str
    document: dict[str, Any] = field(hash=False)
    parameters: dict[str, Parameter] = field(default_factory=dict, hash=False)
    outputs: dict[str, Output] = field(default_factory=dict, hash=False)
    conditions: dict[str, Any] = field(default_factory=dict, hash=False)
    metadata: AppMetadata | None = None
    references: tuple[Reference, ...] = ()
    capabilities: tuple[str, ...] = ()
    is_sam: bool = False

    @property
    def resources(self) -> dict[str, Any]:
        resources: dict[str, Any] = self.document["Resources"]
        return resources

    def reference(self, logical_id: str) -> Reference:
        """The reference with this logical id; ``KeyError`` if there is none."""
        for reference in self.references:
            if reference.logical_id == logical_id:
                return reference
        raise KeyError(logical_id)
