"""The SAR API's operations over the registry's own services.

Every operation runs with the caller's principal, through the same services as ``/v1``:
lookups see only readable apps (the rest is ``NotFoundException``, never 403), publishing goes
through ``publish_checks`` and ``services.publish``, deletion through ``services.deletion``,
policies through ``services.policies``, versions are picked by ``client.resolution`` (so a
``SemanticVersion`` may be a range or a dist-tag). Refusals are ``SarError``; the registry's
own ``ApiError``/``NestryError`` are translated by the endpoint layer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import semver
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from client.names import NAMESPACE_RE
from client.ranges import is_dist_tag
from client.resolution import Failed, drive_async, resolve
from client.resolution import Request as ResolveRequest
from registry.apps import deletion
from registry.apps.api import parse_changes
from registry.apps.editing import apply_changes
from registry.apps.lookup import find_app
from registry.auth.access import can_admin, can_publish, readable_apps
from registry.auth.credentials import Principal
from registry.db.models import App, Dependency, Namespace, Version, utcnow
from registry.documents.build import iso
from registry.errors import Conflict, NotFound
from registry.orgs import audit, policies
from registry.orgs.audit import Who
from registry.publish.checks import PublishInput, authorize, check_request
from registry.publish.metadata import normalize
from registry.publish.service import Published, publish
from registry.resolve.cache import VersionLists
from registry.resolve.source import DatabaseSource
from registry.sar import aliases
from registry.sar import documents as docs
from registry.sar.shapes import (
    AppRef,
    ArnId,
    Caller,
    SarError,
    account_of,
    arn_of,
    bad_request,
    decode_token,
    encode_token,
    namespace_id_of,
    not_found,
)
from registry.state import RegistryState

# SAR's policy actions; a grant gives every read one, and with ``nest`` the deploying ones.
READ_ACTIONS = ("GetApplication", "ListApplicationVersions", "SearchApplications")
NEST_ACTIONS = ("CreateCloudFormationChangeSet", "CreateCloudFormationTemplate", "Deploy")
ACTIONS = frozenset((*READ_ACTIONS, *NEST_ACTIONS, "UnshareApplication"))
MAX_STATEMENTS = policies.MAX_GRANTS
_METADATA = {  # CreateApplication fields that are the version's metadata (SAR's names)
    "name": "Name",
    "description": "Description",
    "author": "Author",
    "spdxLicenseId": "SpdxLicenseId",
    "licenseUrl": "LicenseUrl",
    "readmeUrl": "ReadmeUrl",
    "labels": "Labels",
    "homePageUrl": "HomePageUrl",
    "semanticVersion": "SemanticVersion",
    "sourceCodeUrl": "SourceCodeUrl",
}


@dataclass(frozen=True)
class Call:
    """Who calls and from where: the principal, the SigV4 access key and region, the base URL
    template URLs are made of, and the audit identity."""

    principal: Principal
    caller: Caller
    base_url: str
    who: Who


@dataclass(frozen=True)
class Located:
    app: App
    namespace: str

    @property
    def display(self) -> str:
        return f"{self.namespace}/{self.app.name}"

    @property
    def canonical(self) -> str:
        return f"{self.namespace}/{self.app.name_canonical}"

    def arn(self, region: str) -> str:
        return arn_of(region, self.app.namespace_id, self.app.name)


def _shown(ref: AppRef) -> str:
    return str(ref) if isinstance(ref, ArnId) else f"{ref.namespace}/{ref.name}"


async def locate(session: AsyncSession, ref: AppRef, principal: Principal) -> Located:
    """The app ``ref`` names, if ``principal`` may read it; 404 otherwise (and for ARNs that
    no namespace or alias answers to)."""
    if isinstance(ref, ArnId):
        target = await aliases.target_of(session, ref)
        if target is None:
            raise not_found(f"Application {_shown(ref)} not found")
        namespace, name = target.split("/", 1)
    else:
        namespace, name = ref.namespace.lower(), ref.name
    try:
        app = await find_app(session, namespace, name, principal)
    except NotFound:
        raise not_found(f"Application {_shown(ref)} not found") from None
    return Located(app, namespace.lower())


async def pick_version(
    session: AsyncSession,
    lists: VersionLists,
    located: Located,
    principal: Principal,
    wanted: str | None,
) -> Version:
    """The version ``wanted`` (exact, range or dist-tag; ``latest`` when None) resolves to.

    Anything that resolves to nothing, a malformed version included, is ``NotFoundException``:
    SAR's answer for a version it does not have, which the translator reports as an invalid
    resource and ``sam publish --fail-on-same-version`` reads as "not published yet".
    """
    request = ResolveRequest(located.canonical, wanted or "latest")
    source = DatabaseSource(_opened(session), principal, lists, ())
    (node,) = await drive_async(resolve([request], recursive=False), source)
    if isinstance(node, Failed):
        raise not_found(f"No version {wanted or 'latest'} of {located.display}: {node.message}")
    version = await session.scalar(
        sa.select(Version).where(
            Version.app_id == located.app.id, Version.version == node.found.version
        )
    )
    if version is None:  # deleted between the two reads
        raise not_found(f"No version {node.found.version} of {located.display}")
    return version


def _opened(session: AsyncSession) -> Callable[[], Awaitable[AsyncSession]]:
    async def opened() -> AsyncSession:
        return session

    return opened


# --- reads ---------------------------------------------------------------------------------


async def get_application(
    state: RegistryState, call: Call, ref: AppRef, wanted: str | None
) -> dict[str, Any]:
    async with state.database.reader() as session:
        located = await locate(session, ref, call.principal)
        version = await pick_version(session, state.version_lists, located, call.principal, wanted)
        return _application(call, located, version)


def _application(call: Call, located: Located, version: Version) -> dict[str, Any]:
    app, region = located.app, call.caller.region
    return docs.application(app, app.namespace_id, located.display, version, region, call.base_url)


async def list_applications(
    state: RegistryState, call: Call, limit: int, token: str | None
) -> dict[str, Any]:
    """Every app the caller may read, by namespace then name, ``limit`` at a time."""
    after = decode_token(token, 2)
    query = (
        sa.select(App, Namespace.name)
        .join(Namespace, Namespace.id == App.namespace_id)
        .where(readable_apps(call.principal))
        .order_by(Namespace.name, App.name_canonical)
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(sa.tuple_(Namespace.name, App.name_canonical) > sa.tuple_(*after))
    async with state.database.reader() as session:
        rows = (await session.execute(query)).all()
    page = rows[:limit]
    result: dict[str, Any] = {
        "applications": [docs.summary(app, app.namespace_id, call.caller.region) for app, _ in page]
    }
    if len(rows) > limit:
        last_app, last_ns = page[-1]
        result["nextToken"] = encode_token([last_ns, last_app.name_canonical])
    return result


async def list_versions(
    state: RegistryState, call: Call, ref: AppRef, limit: int, token: str | None
) -> dict[str, Any]:
    """The app's versions in SemVer order, ``limit`` at a time."""
    after = decode_token(token, 1)
    async with state.database.reader() as session:
        located = await locate(session, ref, call.principal)
        rows = list(
            await session.scalars(sa.select(Version).where(Version.app_id == located.app.id))
        )
    rows.sort(key=lambda v: semver.Version.parse(v.version))
    if after is not None:
        try:
            mark = semver.Version.parse(str(after[0]))
        except ValueError:
            raise bad_request("nextToken is not one this registry gave") from None
        rows = [v for v in rows if semver.Version.parse(v.version) > mark]
    page, arn = rows[:limit], located.arn(call.caller.region)
    result: dict[str, Any] = {"versions": [docs.version_summary(arn, v) for v in page]}
    if len(rows) > limit:
        result["nextToken"] = encode_token([page[-1].version])
    return result


async def list_dependencies(
    state: RegistryState,
    call: Call,
    ref: AppRef,
    wanted: str | None,
    limit: int,
    token: str | None,
) -> dict[str, Any]:
    """The registry and SAR references of one version, ``limit`` at a time.

    ``semanticVersion`` is the range the reference asks for (``latest`` when it names none):
    what it resolves to depends on who deploys, and when.
    """
    after = decode_token(token, 1)
    offset = after[0] if after is not None and isinstance(after[0], int) else 0
    async with state.database.reader() as session:
        located = await locate(session, ref, call.principal)
        version = await pick_version(session, state.version_lists, located, call.principal, wanted)
        rows = (
            await session.scalars(
                sa.select(Dependency)
                .where(
                    Dependency.version_id == version.id, Dependency.kind.in_(("registry", "sar"))
                )
                .order_by(Dependency.id)
                .offset(offset)
                .limit(limit + 1)
            )
        ).all()
        ids = await _namespace_ids(session, [r.target_app for r in rows if r.target_app])
    entries = []
    for row in rows[:limit]:
        application = row.external_id or ""
        if row.target_app:
            namespace, name = row.target_app.split("/", 1)
            found = ids.get(namespace)
            application = (
                arn_of(call.caller.region, found, name) if found is not None else row.target_app
            )
        entries.append({"applicationId": application, "semanticVersion": row.range or "latest"})
    result: dict[str, Any] = {"dependencies": entries}
    if len(rows) > limit:
        result["nextToken"] = encode_token([offset + limit])
    return result


async def _namespace_ids(session: AsyncSession, apps: list[str]) -> dict[str, int]:
    names = sorted({app.split("/", 1)[0] for app in apps})
    if not names:
        return {}
    rows = await session.execute(
        sa.select(Namespace.name, Namespace.id).where(Namespace.name.in_(names))
    )
    return {name: id_ for name, id_ in rows}


async def create_template(
    state: RegistryState, call: Call, ref: AppRef, wanted: str | None
) -> dict[str, Any]:
    """``ACTIVE`` at once: the template is the version's, served by ``/v1``; the id is the
    version it resolved to (a range or a dist-tag is settled here, once)."""
    async with state.database.reader() as session:
        located = await locate(session, ref, call.principal)
        version = await pick_version(session, state.version_lists, located, call.principal, wanted)
    return _template(call, located, version)


async def get_template(
    state: RegistryState, call: Call, ref: AppRef, template_id: str
) -> dict[str, Any]:
    if is_dist_tag(template_id):  # ids are versions: never let a tag move under one
        raise not_found(f"No template {template_id}")
    async with state.database.reader() as session:
        located = await locate(session, ref, call.principal)
        version = await session.scalar(
            sa.select(Version).where(
                Version.app_id == located.app.id, Version.version == template_id
            )
        )
    if version is None:
        raise not_found(f"No template {template_id} of {located.display}")
    return _template(call, located, version)


def _template(call: Call, located: Located, version: Version) -> dict[str, Any]:
    now = utcnow()
    created, expires = iso(now), iso(now + docs.TEMPLATE_LIFETIME)
    assert created is not None and expires is not None
    arn = located.arn(call.caller.region)
    return docs.template_document(arn, located.display, version, call.base_url, created, expires)


async def change_set(state: RegistryState, call: Call, ref: AppRef) -> dict[str, Any]:
    """Refused with a pointer to the deploy path: a change set is made by CloudFormation, in
    an AWS account, which a self-hosted registry cannot reach."""
    async with state.database.reader() as session:
        located = await locate(session, ref, call.principal)
    raise bad_request(
        "nestry cannot create CloudFormation change sets (CloudFormation runs in your AWS "
        f"account, not here): add {located.display} to your template and run `nestry install`, "
        "then deploy the build directory with `sam deploy`"
    )


# --- writes --------------------------------------------------------------------------------


def _string(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise bad_request(f"{key} must be a string")
    return value


def _publish_namespace(call: Call) -> str:
    """The access key id when it is a namespace name, else the token's only namespace."""
    key = call.caller.access_key
    if key is not None and NAMESPACE_RE.fullmatch(key):
        return key
    only = sorted(call.principal.namespaces)
    if len(only) == 1:
        return only[0]
    raise bad_request(
        "name the namespace to publish in as the access key id "
        "(AWS_ACCESS_KEY_ID=<namespace>): this token is not limited to one namespace"
    )


async def _publish(
    state: RegistryState,
    call: Call,
    namespace: str,
    name: str,
    version: str,
    body: dict[str, Any],
    metadata: dict[str, Any],
) -> Published:
    authorize(call.principal, namespace, name, version)
    if body.get("templateUrl") is not None and body.get("templateBody") is None:
        raise bad_request("nestry does not fetch TemplateUrl; send the template as TemplateBody")
    template = _string(body, "templateBody")
    if template is None:
        raise bad_request("TemplateBody is required: nestry stores a version with its template")
    if body.get("sourceCodeArchiveUrl") is not None:
        raise bad_request(
            "nestry does not fetch SourceCodeArchiveUrl; publish code bundles with `nestry publish`"
        )
    data = PublishInput(
        template=template.encode(),
        metadata=normalize(metadata),
        readme=_string(body, "readmeBody"),
        license=_string(body, "licenseBody"),
    )
    checked = check_request(state, namespace, name, version, data)
    return await publish(state, call.principal, checked, data, call.who)


async def create_application(
    state: RegistryState, call: Call, body: dict[str, Any]
) -> dict[str, Any]:
    """Publish the first version of a new app; 409 naming the app's ARN when it exists (so
    that ``sam publish`` goes on with UpdateApplication and CreateApplicationVersion)."""
    name, version = _string(body, "name"), _string(body, "semanticVersion")
    if not name:
        raise bad_request("Name is required")
    if not version:
        raise bad_request("SemanticVersion is required: nestry apps start with a version")
    if not call.principal.authenticated:
        raise SarError(
            403, "publishing needs a nestry token as the session token (AWS_SESSION_TOKEN)"
        )
    namespace = _publish_namespace(call)
    authorize(call.principal, namespace, name, version)
    async with state.database.reader() as session:
        try:
            existing = await find_app(session, namespace, name, call.principal)
        except NotFound:
            existing = None
    if existing is not None:
        arn = arn_of(call.caller.region, existing.namespace_id, existing.name)
        raise SarError(409, f"Application with id {arn} already exists")
    metadata = {sar: body[key] for key, sar in _METADATA.items() if body.get(key) is not None}
    published = await _publish(state, call, namespace, name, version, body, metadata)
    return await _after_publish(state, call, namespace, published)


async def _after_publish(
    state: RegistryState, call: Call, namespace: str, published: Published
) -> dict[str, Any]:
    async with state.database.reader() as session:
        app = await find_app(session, namespace, published.app_name, call.principal)
        version = await session.get(Version, published.row.id)
        assert version is not None
        return _application(call, Located(app, namespace), version)


async def create_version(
    state: RegistryState, call: Call, ref: AppRef, version: str, body: dict[str, Any]
) -> dict[str, Any]:
    """A new version: 409 when it exists with these very bytes, 400 when with others (SAM
    only warns on a 409, and changed bytes under a published number must fail)."""
    async with state.database.reader() as session:
        located = await locate(session, ref, call.principal)
    metadata: dict[str, Any] = {}
    if body.get("sourceCodeUrl") is not None:
        metadata["SourceCodeUrl"] = body["sourceCodeUrl"]
    try:
        published = await _publish(
            state, call, located.namespace, located.app.name, version, body, metadata
        )
    except Conflict as exc:
        if exc.code == "version_exists":
            raise bad_request(exc.message) from None
        raise
    if not published.created:
        raise SarError(409, f"{located.display} version {version} already exists")
    document = await _after_publish(state, call, located.namespace, published)
    return dict(document["version"])


async def update_application(
    state: RegistryState, call: Call, ref: AppRef, body: dict[str, Any]
) -> dict[str, Any]:
    """Description, labels and home page, as ``PATCH /v1/apps``; the author and readme come
    from the versions' metadata, so ``Author``/``Readme*`` are not changed here."""
    fields = {"description": "description", "labels": "labels", "homePageUrl": "home_page_url"}
    given = {ours: body[key] for key, ours in fields.items() if key in body}
    changes = parse_changes(given) if given else {}
    async with state.database.writer() as session:
        located = await locate(session, ref, call.principal)
        if not can_publish(call.principal, located.namespace):
            raise SarError(403, f"this token may not change apps in {located.namespace!r}")
        if changes:
            await apply_changes(session, located.app, located.namespace, changes, call.who)
        await session.commit()
        version = await pick_version(session, state.version_lists, located, call.principal, None)
        return _application(call, located, version)


async def delete_application(state: RegistryState, call: Call, ref: AppRef) -> None:
    await state.downloads.flush()  # as DELETE /v1/apps: counts land before the rows go
    async with state.database.writer() as session:
        located = await locate(session, ref, call.principal)
        if not can_admin(call.principal, located.namespace):
            raise SarError(403, f"only owners of {located.namespace!r} may delete its apps")
        await deletion.delete_app(session, located.app, located.namespace, call.principal, call.who)
        await session.commit()


# --- policies ------------------------------------------------------------------------------


async def get_policy(state: RegistryState, call: Call, ref: AppRef) -> dict[str, Any]:
    async with state.database.reader() as session:
        located = await locate(session, ref, call.principal)
        if not call.principal.may(located.namespace, "read"):
            raise SarError(403, f"only members of {located.namespace!r} may read this policy")
        return await _statements(session, located)


async def _statements(session: AsyncSession, located: Located) -> dict[str, Any]:
    """Public visibility as a ``*`` statement; each namespace grant as a statement for that
    namespace's account number (user grants have no account: see them with ``/v1``)."""
    document = await policies.policy_of(session, located.app)
    statements: list[dict[str, Any]] = []
    if document["visibility"] == "public":
        statements.append(
            {"statementId": "public", "principals": ["*"], "actions": list(READ_ACTIONS)}
        )
    grants = [g for g in document["grants"] if "namespace" in g]
    ids = await _namespace_ids(session, [f"{g['namespace']}/x" for g in grants])
    for grant in grants:
        actions = [*READ_ACTIONS, *NEST_ACTIONS] if grant["nest"] else list(READ_ACTIONS)
        statements.append(
            {
                "statementId": f"namespace-{grant['namespace']}",
                "principals": [account_of(ids[grant["namespace"]])],
                "actions": actions,
            }
        )
    return {"statements": statements}


async def put_policy(
    state: RegistryState, call: Call, ref: AppRef, body: dict[str, Any]
) -> dict[str, Any]:
    """Replace visibility and namespace grants (user grants are kept): ``*`` makes the app
    public; each account number (or, in ``PrincipalOrgIDs``, namespace name) gets read, and
    ``nest`` when the actions include a deploying one (``Deploy``, ``CreateCloudFormation*``)."""
    statements = body.get("statements")
    if not isinstance(statements, list) or len(statements) > MAX_STATEMENTS:
        raise bad_request(f"Statements must be a list of at most {MAX_STATEMENTS} statements")
    async with state.database.writer() as session:
        located = await locate(session, ref, call.principal)
        if not can_admin(call.principal, located.namespace):
            raise SarError(403, f"only owners of {located.namespace!r} may change this policy")
        public, grants = await _parse_statements(session, statements)
        current = await policies.policy_of(session, located.app)
        kept = [("user", g["user"], False) for g in current["grants"] if "user" in g]
        visibility = "public" if public else "private"
        await policies.apply_policy(session, located.app, visibility, [*grants, *kept])
        result = await _statements(session, located)
        document = await policies.policy_of(session, located.app)
        target = located.display
        _audit_policy(session, call, located.namespace, target, document)
        await session.commit()
        return result


def _audit_policy(
    session: AsyncSession, call: Call, namespace: str, target: str, document: dict[str, Any]
) -> None:
    audit.record(session, call.who, "policy_change", namespace=namespace, target=target, **document)


async def _parse_statements(
    session: AsyncSession, statements: list[Any]
) -> tuple[bool, list[tuple[str, str, bool]]]:
    public = False
    grants: list[tuple[str, str, bool]] = []
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict):
            raise bad_request(f"Statements[{index}] must be an object")
        actions = _strings(statement, "actions", index)
        unknown = sorted(set(actions) - ACTIONS)
        if not actions or unknown:
            raise bad_request(
                f"Statements[{index}].Actions must name some of {', '.join(sorted(ACTIONS))}"
                + (f" (not {', '.join(unknown)})" if unknown else "")
            )
        nest = any(action in NEST_ACTIONS for action in actions)
        for principal in _strings(statement, "principals", index):
            if principal == "*":
                public = True
            elif principal.isdigit() and len(principal) == 12:
                grants.append(("namespace", await _namespace_of(session, principal), nest))
            else:
                raise bad_request(
                    f"Statements[{index}].Principals: {principal[:64]!r} is neither '*' nor a "
                    "12-digit account number of a namespace on this registry"
                )
        for org in _strings(statement, "principalOrgIDs", index, required=False):
            grants.append(("namespace", org.lower(), nest))
    return public, grants


def _strings(
    statement: dict[str, Any], key: str, index: int, *, required: bool = True
) -> list[str]:
    value = statement.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request(
            f"Statements[{index}].{key[0].upper() + key[1:]} must be a list of strings"
        )
    return value


async def _namespace_of(session: AsyncSession, account: str) -> str:
    namespace_id = namespace_id_of(account)
    name = namespace_id and await session.scalar(
        sa.select(Namespace.name).where(Namespace.id == namespace_id)
    )
    if name is None:
        raise bad_request(f"no namespace has the account number {account}")
    return str(name)


async def unshare(state: RegistryState, call: Call, ref: AppRef, body: dict[str, Any]) -> None:
    """Remove the grant of the namespace ``OrganizationId`` names (its name or account)."""
    organization = _string(body, "organizationId")
    if not organization:
        raise bad_request("OrganizationId is required")
    async with state.database.writer() as session:
        located = await locate(session, ref, call.principal)
        if not can_admin(call.principal, located.namespace):
            raise SarError(403, f"only owners of {located.namespace!r} may change this policy")
        namespace = (
            await _namespace_of(session, organization)
            if organization.isdigit() and len(organization) == 12
            else organization.lower()
        )
        current = await policies.policy_of(session, located.app)
        grants = [
            ("namespace", g["namespace"], g["nest"])
            if "namespace" in g
            else ("user", g["user"], False)
            for g in current["grants"]
            if g.get("namespace") != namespace
        ]
        if len(grants) == len(current["grants"]):
            raise not_found(f"{located.display} is not shared with {organization}")
        await policies.apply_policy(session, located.app, None, grants)
        document = await policies.policy_of(session, located.app)
        _audit_policy(session, call, located.namespace, located.display, document)
        await session.commit()
