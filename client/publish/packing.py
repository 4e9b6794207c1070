"""Which local files a template needs, and where each goes in the code bundle.

A template names local files in the places ``client.template.local_paths`` lists (``CodeUri`` /
``ContentUri`` / ``DefinitionUri``, ``Globals``, ``AWS::Include``, the ``Code`` / ``...S3Location``
properties of plain resources; ``s3://`` and URLs are left alone), the same places the registry
checks, and through ``AWS::Serverless::Application`` ``Location`` / ``AWS::CloudFormation::Stack``
``TemplateURL`` paths to child templates, followed recursively with their own files.
A zip function with no ``CodeUri`` at all means the template's own directory, as in SAM
(``client.template.code_location``).

Layout. Bundle paths are relative to the template's directory, so ``install`` can unpack the
bundle next to the published template. When some path leaves that directory (``../src``, or
realworld-serverless-application's ``../../backend/sam/app/template.yaml``), the bundle instead
mirrors the smallest directory holding everything (the project root) and the published
template's local paths are rewritten to those in-bundle paths. Child templates keep their
relative paths to each other and to their code, so they are packed byte for byte.
Refused: absolute paths, missing paths, symbolic links, special files, cycles, and more than
``MAX_FILES`` files or ``MAX_BYTES`` bytes.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from client.errors import NestryError
from client.template.code_location import implicit_code_uri
from client.template.loader import load_template
from client.template.local_paths import local_paths as template_local_paths

MAX_FILES = 10_000
MAX_BYTES = 500 * 1024 * 1024
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".aws-sam", ".nestry", "__pycache__"})
# Resources whose local path is a child template, whose own local paths are packed too.
TEMPLATE_TYPES = frozenset({"AWS::Serverless::Application", "AWS::CloudFormation::Stack"})


class PackingError(NestryError):
    code = "invalid_bundle_path"
    hint = "Local CodeUri/ContentUri/DefinitionUri/Location paths: relative, existing, no links."


@dataclass(frozen=True)
class LocalPath:
    """One local path a template names: where in the document, and the file it means."""

    key_path: tuple[str, ...]
    value: str
    target: Path  # absolute, normalized
    is_template: bool
    where: str = ""  # for messages: ``[child file: ]key/path``


@dataclass
class BundlePlan:
    files: dict[str, Path] = field(default_factory=dict)  # bundle path -> local file
    rewrites: dict[tuple[str, ...], str] = field(default_factory=dict)  # root document only


def local_paths(document: dict[str, Any], base: Path, source: str = "") -> list[LocalPath]:
    """Every local path ``document`` names (``client.template.local_paths``: the places the
    registry checks, plus SAM's implicit ``CodeUri``), resolved against ``base`` (its
    directory); errors name ``source`` (a child template's file) when given. Readme and
    license files are uploaded beside the template, not packed."""
    found: list[LocalPath] = []
    resources = document.get("Resources")
    for local in template_local_paths(document):
        if local.document or local.key_path[0] == "Metadata":
            continue
        kind = None
        if local.key_path[0] == "Resources" and isinstance(resources, dict):
            resource = resources.get(local.key_path[1])
            kind = resource.get("Type") if isinstance(resource, dict) else None
        is_template = kind in TEMPLATE_TYPES and len(local.key_path) == 4
        _add(found, local.key_path, local.value, base, is_template=is_template, source=source)
    for logical_id, resource in resources.items() if isinstance(resources, dict) else ():
        if isinstance(resource, dict) and implicit_code_uri(document, resource):
            # SAM builds the template's own folder (issue 14, item 1)
            key_path = ("Resources", logical_id, "Properties", "CodeUri")
            _add(found, key_path, ".", base, is_template=False, source=source)
    return found


def _add(
    found: list[LocalPath],
    key_path: tuple[str, ...],
    value: Any,
    base: Path,
    *,
    is_template: bool,
    source: str = "",
) -> None:
    if not isinstance(value, str) or "://" in value or value.startswith("arn:"):
        return  # S3 objects, URLs, intrinsics and Bucket/Key mappings are not ours to pack
    where = (f"{source}: " if source else "") + "/".join(key_path)
    if os.path.isabs(value) or value.startswith("~"):
        raise PackingError(
            f"{where}: {value!r} is an absolute path; use a path relative to the template"
        )
    target = Path(os.path.normpath(base / value))
    if os.path.realpath(target) != str(target):
        raise PackingError(f"{where}: {value!r} goes through a symbolic link, which bundles refuse")
    if not target.exists():
        raise PackingError(f"{where}: {value!r} does not exist (looked for {target})")
    found.append(LocalPath(key_path, value, target, is_template, where))


def plan_bundle(template_path: Path, document: dict[str, Any]) -> BundlePlan:
    """Everything ``document`` (read from ``template_path``) needs, laid out for the bundle."""
    base = Path(os.path.realpath(template_path.parent))
    root_refs = local_paths(document, base)
    targets = _closure(root_refs, {Path(os.path.realpath(template_path))})
    project = Path(os.path.commonpath([base, *targets]))
    if project.parent == project:
        raise PackingError(
            f"local paths of {template_path} reach {project}: the whole disk would be packed",
            hint="Keep code and child templates inside the project's directory.",
        )
    plan = BundlePlan()
    total = 0
    for target in targets:
        for file in _files(target):
            bundle_path = file.relative_to(project).as_posix()
            if bundle_path not in plan.files:
                total += file.stat().st_size
            plan.files[bundle_path] = file
            _check_limits(len(plan.files), total)
    if project != base:
        for ref in root_refs:
            plan.rewrites[ref.key_path] = ref.target.relative_to(project).as_posix()
    plan.files = dict(sorted(plan.files.items()))
    return plan


def _closure(refs: list[LocalPath], seen_templates: set[Path]) -> list[Path]:
    """The targets of ``refs`` plus, recursively, those of the child templates they name."""
    targets: list[Path] = []
    for ref in refs:
        targets.append(ref.target)
        if not ref.is_template:
            continue
        if ref.target in seen_templates:
            raise PackingError(f"{ref.value!r} is nested in itself (a cycle of local templates)")
        if not ref.target.is_file():
            raise PackingError(f"{ref.where}: {ref.value!r} is not a template file")
        child = load_template(ref.target.read_bytes(), source=str(ref.target))
        child_refs = local_paths(child, ref.target.parent, source=str(ref.target))
        targets += _closure(child_refs, seen_templates | {ref.target})
    return targets


def _files(target: Path) -> Iterator[Path]:
    """The regular files at or under ``target``, lazily (so limits stop a huge walk early)."""
    if target.is_file():
        yield target
        return
    if not target.is_dir():
        raise PackingError(f"{target} is neither a regular file nor a directory")
    for top, dirs, names in os.walk(target):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and _not_link(Path(top, d)))
        yield from (Path(top, n) for n in sorted(names) if _regular(Path(top, n)))


def _not_link(path: Path) -> bool:
    if path.is_symlink():
        raise PackingError(f"{path} is a symbolic link; bundles hold regular files only")
    return True


def _regular(path: Path) -> bool:
    if _not_link(path) and not path.is_file():
        raise PackingError(f"{path} is a special file; bundles hold regular files only")
    return True


def _check_limits(count: int, total: int) -> None:
    if count > MAX_FILES:
        raise PackingError(f"the bundle would hold more than {MAX_FILES} files")
    if total > MAX_BYTES:
        raise PackingError(f"the bundle would hold more than {MAX_BYTES} bytes")


def apply_rewrites(
    document: dict[str, Any], rewrites: dict[tuple[str, ...], str]
) -> dict[str, Any]:
    """A copy of ``document`` with each key path set to its in-bundle path."""
    changed = copy.deepcopy(document)
    for key_path, value in rewrites.items():
        node = changed
        for key in key_path[:-1]:
            node = node.setdefault(key, {})  # an implicit CodeUri's function may have none
        node[key_path[-1]] = value
    return changed
