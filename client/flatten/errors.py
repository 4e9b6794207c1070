"""Errors raised while inlining a child template into its parent.

NestryError
└── FlattenError                 the child cannot be inlined as asked
    ├── IdCollisionError         a prefixed child id is already used in the parent
    ├── ChildParameterError      a parameter is missing, undeclared or has an unusable value
    ├── UnknownOutputError       the parent reads an output the child does not declare
    ├── StackReferenceError      the parent uses the reference as a stack (Ref, other GetAtt)
    └── UnsupportedChildError    the child uses something that cannot be inlined faithfully
"""

from __future__ import annotations

from client.errors import NestryError


class FlattenError(NestryError):
    code = "flatten_error"
    hint = "Install the application as a nested stack instead (drop --flatten / inline: true)."


class IdCollisionError(FlattenError):
    code = "flatten_id_collision"
    hint = "Rename the parent's logical id or the reference so the prefixed ids are unique."


class ChildParameterError(FlattenError):
    code = "flatten_parameter"
    hint = "Pass every required parameter the child declares, and only those."


class UnknownOutputError(FlattenError):
    code = "flatten_unknown_output"
    hint = "Read only outputs the child application declares (see its Outputs section)."


class StackReferenceError(FlattenError):
    code = "flatten_stack_reference"
    hint = "An inlined application is not a stack: read its values with !GetAtt Ref.Outputs.Name."


class UnsupportedChildError(FlattenError):
    code = "flatten_unsupported"
    hint = "Install this application as a nested stack instead of inlining it."
