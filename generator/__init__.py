"""partner-codegen: OpenAPI document in, typed httpx client and pydantic v2 models out.

The pipeline reads top to bottom, one module per stage:
``load`` -> ``validate`` -> ``model`` -> ``render`` -> ``format`` -> ``write``.
:func:`generator.pipeline.generate_tree` runs the pure stages; only :mod:`generator.write`
touches the disk.
"""

__version__ = "0.1.0"

from pathlib import Path as _Path


def _templates() -> _Path:
    """The Jinja2 templates and the runtime files: ``templates/`` beside this package in a
    checkout, ``generator/templates/`` in an installed copy (see pyproject.toml)."""
    installed = _Path(__file__).resolve().parent / "templates"
    return installed if installed.is_dir() else _Path(__file__).resolve().parent.parent / "templates"


TEMPLATES = _templates()
