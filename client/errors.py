"""The client package's exceptions.

Every error carries a stable snake_case ``code`` (the registry answers with it as the HTTP
error code) and a one-line ``hint`` saying what to do about it.

NestryError
├── InvalidNameError            bad namespace, application name or application id
├── InvalidVersionError         not a strict SemVer 2.0.0 version
├── InvalidRangeError           not a node-semver range (nor a dist-tag name)
└── TemplateError               anything wrong with a CloudFormation/SAM template
    ├── TemplateSyntaxError     not YAML/JSON, not UTF-8, unknown tag, bad intrinsic form
    ├── TemplateLimitError      refused for safety before being read whole
    │   ├── TemplateTooLargeError
    │   ├── TemplateTooDeepError
    │   └── TemplateAliasError  too many alias expansions ("billion laughs")
    ├── DuplicateKeyError       a mapping names the same key twice
    ├── TemplateStructureError  valid YAML but not a usable template (no Resources, ...)
    ├── MetadataError           AWS::ServerlessRepo::Application metadata invalid
    └── InvalidReferenceError   an AWS::Serverless::Application reference is malformed

The rest of the tree lives beside the code that raises it:

NestryError
├── ConfigError (client.config)         unreadable config; NoRegistryError: none configured
├── PublishInputError (client.publish.request), PackingError (client.publish.packing), AddError
(client.editing.add)
├── RegistryError (client.api.errors)   an HTTP error answer; RegistryUnreachableError
├── InstallError (client.install.errors)
│   ├── ResolutionError → CycleError
│   ├── DigestMismatchError, ParameterError, BundleError, OfflineError
│   └── LockfileError → FrozenLockfileError
└── FlattenError (client.flatten.errors)
    └── IdCollisionError, ChildParameterError, UnknownOutputError, StackReferenceError,
        UnsupportedChildError
"""

from __future__ import annotations


class NestryError(Exception):
    """Base of every error the client library raises on purpose."""

    code = "nestry_error"
    hint = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        return self.message


class InvalidNameError(NestryError):
    code = "invalid_name"
    hint = "Namespaces are 1-39 of a-z0-9- (no leading/trailing -); names 1-140 of A-Za-z0-9-."


class InvalidVersionError(NestryError):
    code = "invalid_version"
    hint = "Use a strict SemVer 2.0.0 version such as 1.2.3 or 2.0.0-beta.1."


class InvalidRangeError(NestryError):
    code = "invalid_range"
    hint = "Use an npm-style range (^1.2.0, ~1.2, >=1 <2, 1.x) or a dist-tag such as latest."


class TemplateError(NestryError):
    """A template problem; ``source`` names the file, ``path`` the key path inside it."""

    code = "invalid_template"
    hint = "Fix the template and try again."

    def __init__(
        self,
        message: str,
        *,
        source: str = "<template>",
        path: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.source = source
        self.path = path
        where = f"{source}: {path}: " if path else f"{source}: "
        super().__init__(where + message, hint=hint)


class TemplateSyntaxError(TemplateError):
    code = "template_syntax"
    hint = "The template must be UTF-8 YAML or JSON using CloudFormation's intrinsic tags."


class TemplateLimitError(TemplateError):
    code = "template_too_complex"
    hint = "Templates are refused past the size, depth and alias limits."


class TemplateTooLargeError(TemplateLimitError):
    code = "template_too_large"
    hint = "Shrink the template below the size limit (CloudFormation's own is 1 MiB)."


class TemplateTooDeepError(TemplateLimitError):
    code = "template_too_deep"
    hint = "Reduce the nesting depth of the template."


class TemplateAliasError(TemplateLimitError):
    code = "template_aliases"
    hint = "Expand fewer YAML aliases; CloudFormation templates rarely need them."


class DuplicateKeyError(TemplateError):
    code = "duplicate_key"
    hint = "Remove or rename one of the duplicated keys."


class TemplateStructureError(TemplateError):
    code = "invalid_template"
    hint = "See the CloudFormation template anatomy: Resources is required."


class MetadataError(TemplateError):
    code = "invalid_metadata"
    hint = "Fix Metadata: AWS::ServerlessRepo::Application (the fields sam publish reads)."


class InvalidReferenceError(TemplateError):
    code = "invalid_reference"
    hint = "An AWS::Serverless::Application needs Location.ApplicationId and SemanticVersion."
