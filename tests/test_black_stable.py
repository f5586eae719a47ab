"""The templates write code the way black lays it out, so the format stage finds nothing to do.

black still formats every generated module (it is the formatter of record, and the output is
byte-identical either way); what this buys is speed: black is roughly twice as fast on text it
does not change. This checks the partner spec's package exactly, and that the real specs of
the case corpus come close.
"""

from __future__ import annotations

from pathlib import Path

import black
import pytest

from generator import format as fmt
from generator import pipeline
from generator.load import load

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "tests" / "cases").glob("*/spec.yaml"))


def _rendered(spec: Path, package: str) -> dict[str, str]:
    doc = load(spec)
    api = pipeline.build(doc, package=package)
    files = pipeline.render(api, examples=pipeline.operation_examples(doc, api), errors=pipeline.operation_errors(doc, api))
    skip = pipeline.verbatim_paths(package)
    return {path: text for path, text in files.items() if path.endswith(".py") and path not in skip and text}


def test_the_partner_package_is_rendered_exactly_as_black_formats_it() -> None:
    for path, text in _rendered(ROOT / "spec" / "partner-v2.yaml", "confluent_partner_v2").items():
        assert black.format_str(text, mode=fmt.mode()) == text, path


@pytest.mark.parametrize("spec", CASES, ids=lambda p: p.parent.name)
def test_case_packages_are_mostly_rendered_as_black_formats_them(spec: Path) -> None:
    pieces = [fmt._trimmed(c) for text in _rendered(spec, "case_client").values() for c in fmt.split_chunks(text)]
    unchanged = sum(black.format_str(p, mode=fmt.mode()) == p for p in pieces)
    assert unchanged >= 0.8 * len(pieces), f"black changes {len(pieces) - unchanged} of {len(pieces)} pieces"
