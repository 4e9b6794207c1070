"""Which template a command works on when ``-t``/``TEMPLATE`` is not given.

SAM CLI looks for ``template.yaml``, ``template.yml`` and ``template.json``, in that order
(issue 14: seven corpus repositories use ``.yml``); nestry does the same.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_NAMES = ("template.yaml", "template.yml", "template.json")


def default_template(given: Path | None, directory: Path = Path()) -> Path:
    """``given``, else the first of ``DEFAULT_NAMES`` in ``directory`` that exists, else
    ``template.yaml`` (whose absence the command then reports)."""
    if given is not None:
        return given
    for name in DEFAULT_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return directory / DEFAULT_NAMES[0]
