"""The generator's options and their defaults, in one light module.

The command line needs them to parse its arguments before it imports the pipeline (whose
libraries take a tenth of a second to import, which ``--help`` should not pay), and the
pipeline needs them too.
"""

from pathlib import Path

__all__ = ["DEFAULT_OUT", "DEFAULT_PACKAGE", "DEFAULT_SPEC", "DOC_STYLES"]

DEFAULT_SPEC = Path("spec/partner-v2.yaml")
DEFAULT_OUT = Path("generated")
DEFAULT_PACKAGE = "confluent_partner_v2"

DOC_STYLES = ("current", "legacy")
"""Layouts of the resource pages in ``docs/``: ``current`` (StackQL's MDX) or ``legacy``."""

FORMATTERS = ("black", "ruff")
"""black is the default and the formatter of record; ``ruff format`` is set up to match it."""
