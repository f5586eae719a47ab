"""Re-parsing only the changed blocks of a spec gives exactly what parsing all of it gives.

:func:`generator.load.load_since` splices the entries around an edit into the previous parse.
Every edit below — on every line of the partner spec (in three tests, for parallel runs) and on a sample of lines of the case
specs — must give the same document as :func:`generator.load.load` (same values, same key
order), or the same errors.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import generator.load as load_module
from generator.cache import Baseline
from generator.errors import SpecErrors
from generator.load import load, load_since

ROOT = Path(__file__).resolve().parent.parent
PARTNER = ROOT / "spec" / "partner-v2.yaml"
CASES = sorted((ROOT / "tests" / "cases").glob("*/spec.yaml"))


def _baseline(spec: Path) -> Baseline:
    doc = load(spec)
    return Baseline(doc.sha256, doc.root, spec.read_text(encoding="utf-8-sig"))


def _outcome(fn: object, path: Path, *args: object) -> str:
    try:
        doc = fn(path, *args)  # type: ignore[operator]
    except SpecErrors as exc:
        return "errors: " + "; ".join(str(e) for e in exc.errors)
    return repr(doc.root) + doc.sha256  # repr keeps key order


def _edits(lines: list[str], index: int) -> list[list[str]]:
    line = lines[index]
    edits = [lines[:index] + lines[index + 1 :], [*lines[:index + 1], line, *lines[index + 1:]]]
    if line.rstrip().endswith(tuple("abcdefghijklmnopqrstuvwxyz0123456789")):
        edits.append([*lines[:index], line + " edited", *lines[index + 1:]])
    return edits


def _compare_all_edits(spec: Path, tmp_path: Path, indexes: range | list[int]) -> int:
    baseline = _baseline(spec)
    lines = baseline.text.split("\n")
    edited = tmp_path / spec.name
    compared = 0
    for index in indexes:
        for new_lines in _edits(lines, index):
            edited.write_text("\n".join(new_lines), encoding="utf-8")
            assert _outcome(load_since, edited, baseline) == _outcome(load, edited), f"line {index + 1}: {lines[index]!r}"
            compared += 1
    return compared


@pytest.mark.parametrize("offset", [0, 1, 2])
def test_every_line_of_the_partner_spec(tmp_path: Path, offset: int) -> None:
    lines = PARTNER.read_text(encoding="utf-8").split("\n")
    indexes = range(offset, len(lines), 3)
    assert _compare_all_edits(PARTNER, tmp_path, indexes) > 2 * len(indexes)


@pytest.mark.parametrize("spec", CASES, ids=lambda p: p.parent.name)
def test_sampled_lines_of_the_case_specs(spec: Path, tmp_path: Path) -> None:
    lines = spec.read_text(encoding="utf-8").split("\n")
    _compare_all_edits(spec, tmp_path, list(range(0, len(lines), max(1, len(lines) // 25))))


def test_an_edit_inside_one_entry_is_spliced_not_reparsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    baseline = _baseline(PARTNER)
    text = baseline.text
    edited = tmp_path / PARTNER.name
    cases = {
        "a path item": text.replace("summary: Sign up a customer", "summary: Sign up a customer today", 1),
        "a component": text.replace("    DryRun:\n", "    DryRun:\n      x-edited: true\n", 1),
        "a new path item": text.replace("\n  /partner/v2/signup/link:", "\n  /zz:\n    summary: new\n  /partner/v2/signup/link:", 1),
        "a top-level member": text.replace("  version: 0.1.0", "  version: 0.2.0", 1),
    }
    expected = {}
    for name, new_text in cases.items():
        assert new_text != text, name
        edited.write_text(new_text, encoding="utf-8")
        expected[name] = load(edited).root

    def full_parse(path: Path) -> None:
        raise AssertionError("load_since parsed the whole document again")

    monkeypatch.setattr(load_module, "load", full_parse)
    for name, new_text in cases.items():
        edited.write_text(new_text, encoding="utf-8")
        doc = load_since(edited, baseline)
        assert repr(doc.root) == repr(expected[name]), name
        assert doc.root["components"] is baseline.root["components"] or name == "a component"


def test_what_cannot_be_spliced_is_parsed_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    baseline = _baseline(PARTNER)
    text = baseline.text
    edited = tmp_path / PARTNER.name
    calls: list[Path] = []
    real = load_module.load

    def counting(path: Path) -> object:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(load_module, "load", counting)
    for new_text in (
        text.replace("summary: Sign up a customer", "summary: &a Sign up a customer", 1),  # an anchor
        text.replace("  /partner/v2/signup/link:", "  /partner/v2/signup:", 1),  # a duplicate key
        text.replace("summary: Sign up a customer", "summary: [unclosed", 1),  # invalid YAML
        "%YAML 1.1\n---\n" + text,  # a directive
    ):
        edited.write_text(new_text, encoding="utf-8")
        assert _outcome(load_since, edited, baseline) == _outcome(real, edited)
    assert len(calls) == 4
