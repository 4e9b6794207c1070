"""The ``home`` and ``nestry`` fixtures of ``test_cli_e2e`` for every CLI test of this folder."""

from test_cli_e2e import home, nestry

__all__ = ["home", "nestry"]
