"""The SAR-compatible API under ``/sar`` (issue 15): ``endpoints`` (thin HTTP layer),
``service`` (the operations over the registry's services), ``documents`` and ``shapes`` (pure:
response documents, ARNs, account numbers, errors, pages), ``aliases`` (real SAR ARNs served by
apps of this registry)."""
