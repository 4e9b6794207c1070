"""Inline a nested application's template into its parent (``--flatten``, issue 6).

``flatten_reference(parent, logical_id, child)`` returns a ``FlattenResult``: the new parent
(the inputs are never modified), human-readable ``warnings``, the ``inlined`` resource ids,
the child conditions the passed parameters ``settled`` and the resources that left out
(``dropped``). What happens, in order:

1. Nested references inside the child are inlined first when ``resolve_nested`` returns their
   template for ``(path of logical ids, resource)``; otherwise they stay nested stacks.
2. The child's SAM ``Globals`` are merged into its own SAM resources (SAM's merge rules).
3. Child resources, conditions and mappings become ``<logical_id><Id>``, and so does every
   ``Ref``, ``Fn::GetAtt`` (both forms), ``Fn::Sub`` variable, ``DependsOn``, ``Condition``
   attribute and operand, ``Fn::If`` condition and ``Fn::FindInMap`` mapping pointing at them
   (ids SAM derives from a SAM resource's id, like ``<Function>Role``, too). Plain strings,
   ``${!Literal}``, pseudo parameters and Sub-local variables are left alone.
4. Each child parameter becomes the value passed (checked against the parameter's
   constraints when literal) or its default: literals as CloudFormation's strings, list types as
   ``Fn::Split`` of the comma-joined value, SSM types as ``{{resolve:ssm:...}}``; inside
   ``Fn::Sub`` a string is inlined (``${`` escaped) and anything else is bound in the Sub's
   variable map. A missing required or an undeclared parameter is a ``ChildParameterError``.
5. Conditions the literals settle are decided (``fold``): ``Fn::If`` takes its branch, false
   resources and outputs are dropped, mappings and conditions nothing reads any more go.
6. The reference's ``Condition`` guards every inlined resource (``<Own>And<Ref's>`` conditions,
   numbered when taken); its ``DependsOn`` is added to each of them.
7. In the parent, ``Ref.Outputs.Name`` reads (``!GetAtt`` either form, ``${...}`` in Sub)
   become the output's value; ``DependsOn: Ref`` becomes the inlined ids; ``!Ref Ref`` and
   other attributes are a ``StackReferenceError``; an unknown output an ``UnknownOutputError``.
8. Prefixed ids must be new in the parent (resources, parameters, conditions and mappings
   share one namespace): else an ``IdCollisionError`` naming both.
9. If the parent has Globals for a moved SAM resource's type, the resource gets
   ``IgnoreGlobals: "*"``, so SAM leaves it exactly as the child's own template made it. The
   child's ``Transform`` entries are added to the parent's.
10. Child outputs with ``Export`` are dropped with a warning, or kept as prefixed parent outputs
    with ``keep_exports=True``; others are only reachable through step 7. Template-level
    ``Rules``/``Metadata`` and stack-only reference properties are dropped with a warning, and
    resources reading ``AWS::StackName``/``AWS::StackId`` (now the parent's) are reported.

A child's SAM implicit APIs (``Api``/``HttpApi`` events naming no API) are declared as the
explicit ``ServerlessRestApi``/``ServerlessHttpApi`` SAM would make before anything moves, so
they become ``<logical_id>ServerlessRestApi`` instead of joining the parent's implicit API.
"""

from client.flatten.errors import (
    ChildParameterError,
    FlattenError,
    IdCollisionError,
    StackReferenceError,
    UnknownOutputError,
    UnsupportedChildError,
)
from client.flatten.inline import FlattenResult, NestedResolver, flatten_reference

__all__ = [
    "ChildParameterError",
    "FlattenError",
    "FlattenResult",
    "IdCollisionError",
    "NestedResolver",
    "StackReferenceError",
    "UnknownOutputError",
    "UnsupportedChildError",
    "flatten_reference",
]
