"""What each page shows, gathered from the services the JSON API uses, with its access rules.

Every function takes the caller's ``Principal`` and reads only what it may read: an app it may
not read raises ``NotFound`` exactly where the API would (``services.lookup``), search and
dependents list only readable apps (``registry.search.query``, ``api.dependents``), and the nested
tree is resolved by the same provider as ``POST /v1/resolve``. The results are plain
dataclasses for the templates; nothing here renders HTML except through the pure helpers
(``readme``, ``tree_svg``, ``source``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
import sqlalchemy as sa
from starlette.datastructures import QueryParams

from client.editing.add import PLACEHOLDER, default_logical_id
from client.names import parse_version
from client.resolution import Failed, Limits, Node, ResolveLimitError, drive_async, resolve
from client.resolution import Request as ResolveRequest
from registry.apps.dependents import dependents_of
from registry.apps.lookup import find_app, find_version
from registry.apps.shapes import Dependent
from registry.auth.access import readable_apps
from registry.auth.credentials import Principal
from registry.db.models import App, Namespace, Version
from registry.documents.build import app_document
from registry.documents.shapes import AppDocument, Dependency, VersionSummary
from registry.errors import NotFound
from registry.orgs import service as orgs
from registry.orgs.shapes import Member
from registry.resolve.source import database_source
from registry.search.params import encode_cursor, parse_query
from registry.search.query import Page, Query, search
from registry.search.shapes import AppSummary
from registry.state import RegistryState
from registry.web.readme import render_readme
from registry.web.source import highlighted
from registry.web.tree_svg import TreeNode, render_tree

HOME_APPS = 8
LABEL_CLOUD = 30
LABEL_SAMPLE = 1000  # labels are counted over this many most downloaded readable apps
DEPENDENTS_SHOWN = 50
TREE_LIMITS = Limits(max_fan_out=200, max_nodes=200, max_depth=12)


@dataclass(frozen=True)
class HomeView:
    popular: list[AppSummary]
    newest: list[AppSummary]
    labels: list[tuple[str, int]]
    total: int


@dataclass(frozen=True)
class SearchView:
    q: str
    labels: tuple[str, ...]
    namespace: str | None
    sort: str
    results: list[AppSummary]
    next_query: str | None  # the query string of the next page
    error: str | None = None


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool
    default: str | None
    allowed: list[str]
    constraints: list[str]
    description: str | None
    no_echo: bool


@dataclass(frozen=True)
class AppView:
    app: AppDocument
    version: VersionSummary  # the shown version's entry of app.versions
    is_latest: bool
    readme_html: str | None
    parameters: list[Parameter]
    outputs: list[tuple[str, str | None]]
    capabilities: list[str]
    dependencies: list[Dependency]
    dependents: list[Dependent]
    more_dependents: bool
    tree_svg: str
    metadata: dict[str, Any]
    add_command: str
    add_yaml: str
    tags_by_version: dict[str, list[str]]
    versions: list[VersionSummary] = field(default_factory=list)  # newest first


@dataclass(frozen=True)
class TemplateBytes:
    application: str
    data: bytes
    digest: str
    public: bool


@dataclass(frozen=True)
class SourceView:
    application: str
    version: str
    digest: str
    html: str
    size: int
    public: bool


@dataclass(frozen=True)
class NamespaceView:
    name: str
    kind: str
    apps: list[dict[str, Any]]
    role: str | None
    members: list[Member] | None  # to members only
    default_visibility: str | None
    visibility: dict[str, str]  # app name -> visibility (to members only)


async def home(state: RegistryState, principal: Principal) -> HomeView:
    async with state.database.reader() as session:
        popular = await search(session, Query(sort="downloads", limit=HOME_APPS), principal)
        newest = await search(session, Query(sort="updated", limit=HOME_APPS), principal)
        rows = await session.execute(
            sa.select(App.labels)
            .join(Namespace, Namespace.id == App.namespace_id)
            .where(readable_apps(principal))
            .order_by(App.downloads.desc(), App.id.desc())
            .limit(LABEL_SAMPLE)
        )
        counts: Counter[str] = Counter()
        for (labels,) in rows:
            counts.update({str(label).lower() for label in labels or []})
        total = await session.scalar(
            sa.select(sa.func.count())
            .select_from(App)
            .join(Namespace, Namespace.id == App.namespace_id)
            .where(readable_apps(principal))
        )
    cloud = sorted(counts.most_common(LABEL_CLOUD), key=lambda item: item[0])
    return HomeView(popular.rows, newest.rows, cloud, int(total or 0))


async def search_page(
    state: RegistryState, principal: Principal, params: QueryParams
) -> SearchView:
    """Search with exactly ``GET /v1/apps``'s parameters; ``ApiError`` 400 when invalid."""
    query = parse_query(params)
    async with state.database.reader() as session:
        page: Page = await search(session, query, principal)
    next_query = None
    if page.last_key is not None:
        kept = [(k, v) for k, v in params.multi_items() if k != "cursor"]
        cursor = encode_cursor(query.sort, *page.last_key)
        next_query = str(QueryParams([*kept, ("cursor", cursor)]))
    return SearchView(
        q=params.get("q", ""),
        labels=query.labels,
        namespace=query.namespace,
        sort=query.sort,
        results=page.rows,
        next_query=next_query,
    )


async def app_page(
    state: RegistryState, principal: Principal, ns: str, name: str, version: str | None
) -> AppView:
    """The app at ``version`` (default: ``latest``, else the highest); 404 as the API."""
    documents = state.documents
    async with state.database.reader() as session:
        app = await find_app(session, ns, name, principal)
        info = (await documents.app(ns, app.name_canonical)).info
        document = app_document(info, await documents.counts(info))
        chosen = version or _default_version(document)
        if chosen is None:
            raise NotFound("version_not_found", f"{ns}/{app.name} has no versions")
        row = await find_version(session, app, chosen)
        tail = await documents.tail(info, documents.version(info, row.version))
        canonical = f"{ns}/{app.name_canonical}"
        dependents, more = await dependents_of(
            session, canonical, principal, limit=DEPENDENTS_SHOWN
        )
        tree = await _tree(state, principal, document.application, row, tail)
    readme = tail["readme"]
    readme_html = await anyio.to_thread.run_sync(render_readme, readme) if readme else None
    shown = next(v for v in document.versions if v.version == row.version)
    tags: dict[str, list[str]] = {}
    for tag, tagged in document.dist_tags.items():
        tags.setdefault(tagged, []).append(tag)
    parameters = [_parameter(k, v) for k, v in (tail["parameters"] or {}).items()]
    return AppView(
        app=document,
        version=shown,
        is_latest=version is None,
        readme_html=readme_html,
        parameters=parameters,
        outputs=[(k, (v or {}).get("Description")) for k, v in (tail["outputs"] or {}).items()],
        capabilities=list(tail["capabilities"] or []),
        dependencies=tail["dependencies"],
        dependents=dependents,
        more_dependents=more is not None,
        tree_svg=render_tree(tree, title=f"Nested applications of {document.application}"),
        metadata=tail["metadata"] or {},
        add_command=f"nestry add {document.application}@{_range_for(row.version)}",
        add_yaml=_snippet(document, row.version, parameters),
        tags_by_version=tags,
        versions=list(reversed(document.versions)),
    )


def _default_version(document: AppDocument) -> str | None:
    latest = document.dist_tags.get("latest")
    if latest:
        return latest
    versions = document.versions  # ascending precedence
    return versions[-1].version if versions else None


def _range_for(version: str) -> str:
    """``^X.Y.Z`` for a release (what ``nestry add`` writes), the exact version otherwise."""
    return version if parse_version(version).prerelease else f"^{version}"


def _snippet(document: AppDocument, version: str, parameters: list[Parameter]) -> str:
    lines = [
        f"{default_logical_id(document.name) or 'App'}:",
        "  Type: AWS::Serverless::Application",
        "  Properties:",
        "    Location:",
        f"      ApplicationId: {document.application}",
        f"      SemanticVersion: '{_range_for(version)}'",
    ]
    required = [p.name for p in parameters if p.required]
    if required:
        lines.append("    Parameters:")
        lines += [f"      {name}: '{PLACEHOLDER}'" for name in required]
    return "\n".join(lines)


def _parameter(name: str, body: dict[str, Any]) -> Parameter:
    def text(key: str) -> str | None:
        value = body.get(key)
        return None if value is None else str(value)

    constraints = [
        f"{label} {body[key]}"
        for key, label in (
            ("AllowedPattern", "pattern"),
            ("MinLength", "min length"),
            ("MaxLength", "max length"),
            ("MinValue", "min"),
            ("MaxValue", "max"),
        )
        if body.get(key) is not None
    ]
    return Parameter(
        name=name,
        type=text("Type") or "String",
        required="Default" not in body,
        default=text("Default"),
        allowed=[str(v) for v in body.get("AllowedValues") or []],
        constraints=constraints,
        description=text("Description"),
        no_echo=str(body.get("NoEcho", "")).lower() == "true",
    )


async def _tree(
    state: RegistryState,
    principal: Principal,
    application: str,
    version: Version,
    tail: Mapping[str, Any],
) -> TreeNode:
    """This version's registry references resolved as ``POST /v1/resolve`` would for this
    caller (recursively), plus its SAR, local and URL references. The references are resolved,
    not the version itself, so that the tree of a yanked version is drawn too."""
    deps: list[Dependency] = tail["dependencies"]
    registry = [dep for dep in deps if dep.kind == "registry"]  # these name their application
    requests = [ResolveRequest(dep.application or "", dep.range or "latest") for dep in registry]
    async with database_source(state.database, principal, state.version_lists, ()) as source:
        try:
            nodes = await drive_async(resolve(requests, limits=TREE_LIMITS), source)
        except ResolveLimitError:  # too big to draw whole: the first level only
            first = resolve(requests[: TREE_LIMITS.max_fan_out], recursive=False)
            nodes = await drive_async(first, source)
    children = tuple(
        _tree_node(node, dep.logical_id) for node, dep in zip(nodes, registry, strict=False)
    )
    external = tuple(
        TreeNode(
            title=dep.application or dep.location or dep.kind,
            detail={"sar": "SAR", "local": "local template", "url": "URL"}.get(dep.kind, dep.kind),
            path=dep.logical_id,
            kind="external",
        )
        for dep in deps
        if dep.kind != "registry"
    )
    return TreeNode(application, version.version, kind="root", children=children + external)


def _tree_node(node: Node, path: str | None = None) -> TreeNode:
    if isinstance(node, Failed):
        foreign = node.code == "foreign_registry"
        return TreeNode(
            title=node.application,
            detail=f"{node.range}: another registry"
            if foreign
            else f"{node.range}: {node.code.replace('_', ' ')}",
            path=path or node.path,
            kind="external" if foreign else "error",
        )
    return TreeNode(
        title=node.display,
        detail=f"{node.found.version} (from {node.range})",
        path=path or node.path,
        children=tuple(_tree_node(child) for child in node.dependencies),
    )


async def source_page(
    state: RegistryState, principal: Principal, ns: str, name: str, version: str
) -> SourceView:
    found = await template_bytes(state, principal, ns, name, version)
    text = found.data.decode("utf-8", errors="replace")
    html = await anyio.to_thread.run_sync(highlighted, text)
    return SourceView(found.application, version, found.digest, html, len(found.data), found.public)


async def template_bytes(
    state: RegistryState, principal: Principal, ns: str, name: str, version: str
) -> TemplateBytes:
    """The template of a version the caller may read (404 otherwise, as the API)."""
    async with state.database.reader() as session:
        app = await find_app(session, ns, name, principal)
        row = await find_version(session, app, version)
        digest, public = row.digest, app.visibility == "public"
        application = f"{ns}/{app.name}"
    data = await state.documents.template(digest)
    return TemplateBytes(application, data, digest, public)


async def namespace_page(state: RegistryState, principal: Principal, ns: str) -> NamespaceView:
    """Its readable apps; members and visibility to members. 404 when the namespace does not
    exist, or when the caller is no member and may read none of its apps."""
    member = principal.may(ns, "read")
    async with state.database.reader() as session:
        namespace = (
            await session.scalars(sa.select(Namespace).where(Namespace.name == ns))
        ).first()
        if namespace is None:
            raise NotFound("namespace_not_found", f"no namespace {ns!r}")
        rows = (
            await session.execute(
                sa.select(App.name, App.description, App.labels, App.downloads, App.visibility)
                .join(Namespace, Namespace.id == App.namespace_id)
                .where(Namespace.id == namespace.id, readable_apps(principal))
                .order_by(App.name_canonical)
                .limit(500)
            )
        ).all()
        members = await orgs.members_of(session, namespace) if member else None
    if not rows and not member:
        raise NotFound("namespace_not_found", f"no namespace {ns!r}")
    apps = [
        {
            "application": f"{ns}/{row.name}",
            "description": row.description,
            "labels": row.labels or [],
            "downloads": row.downloads,
        }
        for row in rows
    ]
    return NamespaceView(
        name=namespace.name,
        kind=namespace.kind,
        apps=apps,
        role=principal.roles.get(ns) if member else None,
        members=members,
        default_visibility=namespace.default_visibility if member else None,
        visibility={row.name: row.visibility for row in rows} if member else {},
    )
