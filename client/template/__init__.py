"""The CloudFormation/SAM template model: safe loading, dumping and typed extraction.

- ``load_template(data, *, source, limits)``: bytes/str (YAML or JSON) -> plain dict, intrinsics
  in long form (``{"Ref": "X"}``, ``{"Fn::GetAtt": ["A", "B.C"]}``); ``2010-09-09`` stays text.
- ``dump_template(document)``: YAML with short-form tags, the document's key order, quoting
  whatever a YAML reader would retype; ``load_template(dump_template(d)) == d``.
- ``parse_template(data, *, source, limits)`` = ``extract(load_template(...))`` -> ``Template``
  (parameters, outputs, conditions, SAR metadata, nested references, capabilities).
- ``parse_metadata(mapping)``: SAR metadata (SAR's or snake_case names) -> ``AppMetadata``.

Every failure is a ``client.errors.TemplateError`` subclass naming the source and key path.
"""

from client.template.capabilities import required_capabilities
from client.template.dumper import dump_template
from client.template.extract import extract, parse_template
from client.template.loader import load_template
from client.template.metadata import parse_metadata
from client.template.model import (
    AppMetadata,
    Limits,
    LocationKind,
    Output,
    Parameter,
    Reference,
    Template,
)

__all__ = [
    "AppMetadata",
    "Limits",
    "LocationKind",
    "Output",
    "Parameter",
    "Reference",
    "Template",
    "dump_template",
    "extract",
    "load_template",
    "parse_metadata",
    "parse_template",
    "required_capabilities",
]
