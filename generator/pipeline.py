"""The whole pipeline as one pure function: spec path in, {relative path: text} out."""

from __future__ import annotations

from pathlib import Path

from . import format as fmt
from .load import load
from .model import build
from .render import render
from .validate import validate

DEFAULT_SPEC = Path("spec/partner-v2.yaml")
DEFAULT_OUT = Path("generated")
DEFAULT_PACKAGE = "confluent_partner_v2"


def generate_tree(spec: Path, *, package: str = DEFAULT_PACKAGE) -> dict[str, str]:
    """load -> validate -> model -> render -> format; raises SpecErrors for bad input."""
    document = validate(load(spec))
    api = build(document, package=package)
    return fmt.format_tree(render(api))
