"""Where SAM finds a function's code when the template does not say.

SAM treats a zip ``AWS::Serverless::Function`` without ``CodeUri`` (in its properties or in
``Globals.Function``) as ``CodeUri: .``, the template's own directory; ``InlineCode`` and image
functions need no local code. Publishing bundles that directory and installing rebases it,
exactly as for a written ``CodeUri`` (issue 14, item 1).
"""

from __future__ import annotations

from typing import Any

FUNCTION = "AWS::Serverless::Function"


def implicit_code_uri(document: dict[str, Any], resource: Any) -> bool:
    """True when SAM would build ``resource``'s code from the template's directory."""
    if not isinstance(resource, dict) or resource.get("Type") != FUNCTION:
        return False
    props = resource.get("Properties")
    props = props if isinstance(props, dict) else {}
    globals_ = document.get("Globals")
    function = globals_.get("Function") if isinstance(globals_, dict) else None
    function = function if isinstance(function, dict) else {}
    if any(key in props or key in function for key in ("CodeUri", "InlineCode", "ImageUri")):
        return False
    return props.get("PackageType", function.get("PackageType", "Zip")) == "Zip"
