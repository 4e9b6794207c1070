"""The local paths a template names for its code and documents, and the rule they keep.

``sam package``, ``sam deploy`` and ``aws cloudformation package`` upload whatever a local path
in these places names, relative to the template's directory: a function's ``CodeUri``, a
layer's ``ContentUri``, an API's or state machine's ``DefinitionUri``, a nested application's
``Location``, ``Globals`` code paths, the SAR ``ReadmeUrl`` / ``LicenseUrl``, an ``AWS::Include``
``Location``, and the ``Code`` / ``TemplateURL`` / ``...S3Location``-style properties of plain
CloudFormation resources that ``aws cloudformation package`` accepts a local path in. A
template from a registry is someone else's: if such a path leaves the app's own files
(absolute, ``..``-escaping, a drive letter, or simply not among the files published with it),
packaging the consumer's build would upload the consumer's files. ``escape`` is that rule, for
publish (``registry.publish.checks``) and install (``client.install.build_dir``) alike.

Pure: no I/O. Paths are '/'-separated inside a bundle; a backslash counts as a separator too
(as the packagers on Windows read it).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# Resource type -> property paths that may hold a local path ("*": every key of a mapping).
RESOURCE_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "AWS::Serverless::Function": (("CodeUri",),),
    "AWS::Serverless::LayerVersion": (("ContentUri",),),
    "AWS::Serverless::Api": (("DefinitionUri",),),
    "AWS::Serverless::HttpApi": (("DefinitionUri",),),
    "AWS::Serverless::StateMachine": (("DefinitionUri",),),
    "AWS::Serverless::GraphQLApi": (
        ("SchemaUri",),
        ("Resolvers", "*", "*", "CodeUri"),
        ("Functions", "*", "CodeUri"),
    ),
    "AWS::Serverless::Application": (("Location",),),
    "AWS::CloudFormation::Stack": (("TemplateURL",),),
    "AWS::Lambda::Function": (("Code",),),
    "AWS::Lambda::LayerVersion": (("Content",),),
    "AWS::StepFunctions::StateMachine": (("DefinitionS3Location",),),
    "AWS::ApiGateway::RestApi": (("BodyS3Location",),),
    "AWS::ApiGatewayV2::Api": (("BodyS3Location",),),
    "AWS::AppSync::GraphQLSchema": (("DefinitionS3Location",),),
    "AWS::AppSync::Resolver": (
        ("RequestMappingTemplateS3Location",),
        ("ResponseMappingTemplateS3Location",),
        ("CodeS3Location",),
    ),
    "AWS::AppSync::FunctionConfiguration": (
        ("RequestMappingTemplateS3Location",),
        ("ResponseMappingTemplateS3Location",),
        ("CodeS3Location",),
    ),
    "AWS::ElasticBeanstalk::ApplicationVersion": (("SourceBundle",),),
    "AWS::Glue::Job": (("Command", "ScriptLocation"),),
    "AWS::CodeCommit::Repository": (("Code", "S3"),),
    "AWS::CloudFormation::ModuleVersion": (("ModulePackage",),),
    "AWS::CloudFormation::ResourceVersion": (("SchemaHandlerPackage",),),
}
GLOBAL_PATHS = {
    "Function": "CodeUri",
    "LayerVersion": "ContentUri",
    "Api": "DefinitionUri",
    "HttpApi": "DefinitionUri",
    "StateMachine": "DefinitionUri",
}
SAR_METADATA = "AWS::ServerlessRepo::Application"
DOCUMENT_KEYS = ("ReadmeUrl", "LicenseUrl")

_REMOTE = re.compile(r"(?i)^(s3|https?)://")
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class LocalPath:
    """One local path of a template: where (key path) and what it says.

    ``document`` marks a readme or license: those are uploaded beside the template, so they
    need not be in the bundle, but must not leave it either.
    """

    key_path: tuple[str, ...]
    value: str
    document: bool = False

    @property
    def where(self) -> str:
        return ".".join(self.key_path)


def is_local(value: Any) -> bool:
    """A non-empty string that is not an ``s3://`` / ``http(s)://`` location. Mappings (an S3
    bucket and key, an intrinsic function) name nothing on disk."""
    return isinstance(value, str) and value != "" and not _REMOTE.match(value)


def local_paths(document: Mapping[str, Any]) -> list[LocalPath]:
    """Every local path ``document`` names, in document order."""
    found: list[LocalPath] = []
    globals_ = document.get("Globals")
    if isinstance(globals_, Mapping):
        for section, key in GLOBAL_PATHS.items():
            block = globals_.get(section)
            if isinstance(block, Mapping):
                _add(found, ("Globals", section, key), block.get(key))
    metadata = document.get("Metadata")
    sar = metadata.get(SAR_METADATA) if isinstance(metadata, Mapping) else None
    if isinstance(sar, Mapping):
        for key in DOCUMENT_KEYS:
            _add(found, ("Metadata", SAR_METADATA, key), sar.get(key), document=True)
    resources = document.get("Resources")
    for logical_id, resource in resources.items() if isinstance(resources, Mapping) else ():
        if not isinstance(resource, Mapping):
            continue
        properties = resource.get("Properties")
        kind = resource.get("Type")
        if not isinstance(properties, Mapping) or not isinstance(kind, str):
            continue
        for pattern in RESOURCE_PATHS.get(kind, ()):
            for key_path, value in _walk(properties, pattern, ()):
                _add(found, ("Resources", str(logical_id), "Properties", *key_path), value)
    for key_path, value in _includes(document, ()):
        _add(found, key_path, value)
    return found


def escape(path: str, template_dir: str, files: frozenset[str] | None) -> str | None:
    """Why ``path`` (relative to ``template_dir`` inside the bundle, "" = its root) does not stay
    inside the app's files, or None when it does. ``files``: the bundle's file paths (None: no
    bundle; then only leaving the app's directory is refused)."""
    if "\x00" in path:
        return "contains a NUL byte"
    if path.startswith(("/", "\\", "~")):
        return "is an absolute path"
    if _DRIVE.match(path):
        return "names a drive"
    target = posixpath.normpath(posixpath.join(template_dir, path.replace("\\", "/")))
    if target == ".." or target.startswith("../"):
        return "leaves the application's own files"
    if files is None:
        # No bundle (versions published before bundles, or by hand): nothing to compare with;
        # a path that stays inside the app's directory names nothing of the consumer's.
        return None
    if target == ".":
        return None if files else "names the bundle, which is empty"
    inside = target + "/"
    if target in files or any(name.startswith(inside) for name in files):
        return None
    return "is not a file or directory in the application's bundle"


def escapes(
    document: Mapping[str, Any], template_dir: str, files: frozenset[str] | None
) -> list[tuple[LocalPath, str]]:
    """Every local path of ``document`` that breaks the rule, with the reason. Readmes and
    licenses are uploaded beside the template and served from that copy, so they need not be
    in the bundle, and real SAR templates name them above the template (``../Readme.md``):
    for them only absolute, drive-letter and NUL paths are refused."""
    found = []
    for local in local_paths(document):
        reason = escape(local.value, template_dir, files)
        if reason is None:
            continue
        if local.document and reason.endswith(("bundle", "with the application", "own files")):
            continue
        found.append((local, reason))
    return found


def leaving_documents(document: Mapping[str, Any], template_dir: str) -> list[LocalPath]:
    """The readme and license paths of ``document`` that leave the app's own directory
    (absolute, drive-letter, ``..`` past its root). Publish accepts them (real SAR templates name
    ``../Readme.md``; the files are uploaded beside the template), but ``sam package`` uploads
    what a vendored child's ``ReadmeUrl`` names from the consumer's disk, so install writes its
    children without them (``client.install.build_dir.vendored_template``)."""
    return [
        local
        for local in local_paths(document)
        if local.document and escape(local.value, template_dir, None) is not None
    ]


def _add(
    found: list[LocalPath], key_path: tuple[str, ...], value: Any, *, document: bool = False
) -> None:
    if is_local(value):
        found.append(LocalPath(key_path, value, document))


def _walk(
    node: Any, pattern: tuple[str, ...], at: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], Any]]:
    if not pattern:
        yield at, node
        return
    if not isinstance(node, Mapping):
        return
    head, rest = pattern[0], pattern[1:]
    keys = list(node) if head == "*" else [head] if head in node else []
    for key in keys:
        yield from _walk(node[key], rest, (*at, str(key)))


def _includes(node: Any, at: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    """``Fn::Transform: {Name: AWS::Include, Parameters: {Location: ...}}`` anywhere."""
    if isinstance(node, Mapping):
        transform = node.get("Fn::Transform")
        if isinstance(transform, Mapping) and transform.get("Name") == "AWS::Include":
            parameters = transform.get("Parameters")
            if isinstance(parameters, Mapping) and "Location" in parameters:
                where = (*at, "Fn::Transform", "Parameters", "Location")
                yield where, parameters["Location"]
        for key, value in node.items():
            yield from _includes(value, (*at, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _includes(value, (*at, str(index)))
