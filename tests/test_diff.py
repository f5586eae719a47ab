"""``partner-codegen diff OLD NEW``: what a spec change means for callers of the generated package.

Every ``tests/cases/diff/<rule>/`` holds ``old.yaml``, ``new.yaml`` and ``expected.txt`` (the text
report). ``UPDATE_GOLDEN=1 pytest tests/test_diff.py`` rewrites the expectations; review the diff.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from generator import cli, diff
from generator.ir import Api

CASES = Path(__file__).resolve().parent / "cases" / "diff"
PAIRS = sorted(p for p in CASES.iterdir() if p.is_dir())
ERRORS = Path(__file__).resolve().parent / "cases" / "errors"

# The rule each pair exists for: (kind, code) that must be among its changes (None: no change).
RULES: dict[str, tuple[str, str] | None] = {
    "additions": ("compatible", "method-added"),
    "body_field_became_required": ("breaking", "param-became-required"),
    "client_renamed": ("breaking", "client-renamed"),
    "description_changed": ("compatible", "description-changed"),
    "env_var_renamed": ("breaking", "env-var-renamed"),
    "model_renamed_by_x_class_name": ("breaking", "model-renamed"),
    "redaction_removed": ("breaking", "redaction-removed"),
    "resource_renamed": ("breaking", "resource-renamed"),
    "inline_enum_value_removed": ("breaking", "enum-value-removed"),
    "method_removed": ("breaking", "method-removed"),
    "method_renamed": ("breaking", "method-renamed"),
    "model_renamed": ("breaking", "model-renamed"),
    "nested_field_became_required": ("breaking", "field-became-required"),
    "no_changes": None,
    "param_became_required": ("breaking", "param-became-required"),
    "param_removed": ("breaking", "param-removed"),
    "param_type_changed": ("breaking", "param-type-changed"),
    "param_type_widened": ("compatible", "param-type-changed"),
    "request_enum_value_added": ("compatible", "enum-value-added"),
    "request_enum_value_removed": ("breaking", "enum-value-removed"),
    "request_field_removed": ("breaking", "request-field-removed"),
    "required_param_added": ("breaking", "required-param-added"),
    "response_enum_value_added": ("risk", "enum-value-added"),
    "response_enum_value_removed": ("compatible", "enum-value-removed"),
    "response_field_became_nullable": ("breaking", "field-type-changed"),
    "response_field_became_optional": ("breaking", "response-field-became-optional"),
    "response_field_removed": ("breaking", "response-field-removed"),
    "response_field_type_changed": ("breaking", "field-type-changed"),
    "success_status_changed": ("breaking", "success-status-changed"),
    "union_variant_added": ("risk", "union-variant-added"),
    "union_variant_removed": ("breaking", "union-variant-removed"),
}


def test_every_rule_has_a_pair() -> None:
    assert len(PAIRS) >= 12
    assert sorted(p.name for p in PAIRS) == sorted(RULES)


@pytest.mark.parametrize("case", PAIRS, ids=[p.name for p in PAIRS])
def test_diff_pair(case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["diff", str(case / "old.yaml"), str(case / "new.yaml")])
    captured = capsys.readouterr()
    assert captured.err == ""
    expected_file = case / "expected.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_file.write_text(captured.out)
    assert expected_file.exists(), f"no snapshot; run UPDATE_GOLDEN=1 pytest {__file__}"
    assert captured.out == expected_file.read_text(), f"report changed; if intended, run UPDATE_GOLDEN=1 pytest {__file__}"
    lines = captured.out.splitlines()
    rule = RULES[case.name]
    if rule is None:
        assert lines == ["no changes to the generated API"]
    else:
        kind, rule_code = rule
        assert any(line.startswith(f"{kind.upper()} ") and f"[{rule_code}]" in line for line in lines), lines
    breaking = any(line.startswith("BREAKING ") for line in lines)
    assert code == (1 if breaking else 0)
    # One line per change, each naming a generated method or model and a spec location.
    for line in lines[:-1]:
        subject = line.split(" ", 2)[1]
        assert subject.startswith("models.") or "." in subject, line
        assert " at old.yaml#/" in line or " at new.yaml#/" in line, line
    # Most severe first.
    order = [diff.SEVERITY[line.split(" ", 1)[0].lower()] for line in lines[:-1]]
    assert order == sorted(order)


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES / "request_enum_value_removed"
    code = cli.main(["diff", "--format", "json", str(case / "old.yaml"), str(case / "new.yaml")])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["old"] == "old.yaml" and data["new"] == "new.yaml"
    assert data["breaking"] is True
    assert data["summary"] == {"breaking": 1, "risk": 0, "compatible": 0}
    assert [c["subject"] for c in data["changes"]] == ["models.Size"]  # the enum's alias, used by two methods
    for change in data["changes"]:
        assert set(change) == {"kind", "code", "subject", "message", "location"}
        assert change["kind"] == "breaking" and change["code"] == "enum-value-removed"
        assert "'large'" in change["message"]
        assert change["location"].startswith("new.yaml#/")


def test_json_output_without_breaking_changes_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES / "response_enum_value_added"
    assert cli.main(["diff", "--format", "json", str(case / "old.yaml"), str(case / "new.yaml")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["breaking"] is False
    assert data["summary"] == {"breaking": 0, "risk": 1, "compatible": 0}
    assert data["changes"][0]["subject"] == "models.Status"


def test_json_output_with_no_changes(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["diff", "--format", "json", "spec/partner-v2.yaml", "spec/partner-v2.yaml"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["changes"] == [] and data["breaking"] is False


@pytest.mark.parametrize("which", ["old", "new"])
def test_bad_spec_exits_2(which: str, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = str(CASES / "no_changes" / "old.yaml"), str(ERRORS / "dangling_ref.yaml")
    args = [good, bad] if which == "new" else [bad, good]
    assert cli.main(["diff", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: dangling_ref.yaml#/paths/~1things/get/responses/200")
    assert "Traceback" not in captured.err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["diff", str(tmp_path / "nope.yaml"), "spec/partner-v2.yaml"]) == 2
    assert "nope.yaml: cannot read file" in capsys.readouterr().err


def test_real_spec_against_itself_has_no_changes(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["diff", "spec/partner-v2.yaml", "spec/partner-v2.yaml"]) == 0
    assert capsys.readouterr().out == "no changes to the generated API\n"


def api(path: Path) -> Api:
    return diff.build_api(path, package="pets")[1]


def test_summarize_for_generate() -> None:
    case = CASES / "union_variant_removed"
    text = diff.summarize(api(case / "old.yaml"), api(case / "new.yaml"))
    lines = text.splitlines()
    assert lines[0] == "API changes since the previous generation: 2 changes: 1 breaking, 0 risk, 1 compatible"
    assert lines[1].startswith("  BREAKING models.Toy: union variant Rope was removed [union-variant-removed]")
    assert "1 more" in lines[2]  # the compatible change is only counted
    assert lines[-1] == "  Breaking changes: callers of the generated package must be updated."
    same = api(case / "old.yaml")
    assert diff.summarize(same, same) == "API changes since the previous generation: none"


def test_summarize_is_short() -> None:
    pets, partner = api(CASES / "no_changes" / "old.yaml"), api(Path("spec/partner-v2.yaml"))
    lines = diff.summarize(pets, partner, limit=3).splitlines()  # a completely different API
    assert len(lines) == 1 + 3 + 2
    assert lines[0].startswith("API changes since the previous generation: ")
    assert all(line.startswith("  BREAKING ") for line in lines[1:4])
    assert "run `partner-codegen diff OLD NEW` for the full list" in lines[4]
    additions = api(CASES / "additions" / "new.yaml")
    assert diff.summarize(pets, additions).splitlines() == [
        "API changes since the previous generation: 3 changes: 0 breaking, 0 risk, 3 compatible",
        "  3 compatible; run `partner-codegen diff OLD NEW` for the full list",
    ]


def test_without_documents_locations_fall_back_to_the_ir() -> None:
    case = CASES / "param_became_required"
    report = diff.compare(api(case / "old.yaml"), api(case / "new.yaml"))
    (change,) = report.changes
    assert change.location == "new.yaml#/paths/~1pets/get/parameters"


# ----------------------------------------------------------------------------- types
NAMES = frozenset({"Cat", "Dog", "Bird"})


def codes(old: str, new: str, direction: diff.Direction) -> list[tuple[str, str]]:
    return [(f.kind, f.code) for f in diff.compare_types(old, new, direction, NAMES)]


@pytest.mark.parametrize(
    ("old", "new", "direction", "expected"),
    [
        ("int", "int | str", "request", [("compatible", "type-changed")]),
        ("int | str", "int", "request", [("breaking", "type-changed")]),
        ("int", "int | str", "response", [("breaking", "type-changed")]),
        ("str | None", "str", "request", [("breaking", "type-changed")]),
        ("str", "str | None", "request", [("compatible", "type-changed")]),
        ("str", "Any", "request", [("compatible", "type-changed")]),
        ("Literal['a', 'b']", "str", "request", [("compatible", "type-changed")]),
        ("Literal['a', 'b']", "str", "response", [("breaking", "type-changed")]),
        ("str", "Literal['a']", "request", [("breaking", "type-changed")]),
        ("EmailStr", "str", "request", [("compatible", "type-changed")]),
        ("str", "EmailStr", "request", [("breaking", "type-changed")]),
        ("list[Literal['a', 'b']]", "list[Literal['a']]", "request", [("breaking", "enum-value-removed")]),
        ("list[Literal['a']]", "list[Literal['a', 'b']]", "response", [("risk", "enum-value-added")]),
        ("dict[str, int]", "dict[str, str]", "response", [("breaking", "type-changed")]),
        ("list[int]", "int", "request", [("breaking", "type-changed")]),
        ("Literal[1, True]", "Literal[1]", "request", [("breaking", "enum-value-removed")]),
        ("Cat | Dog", "Cat", "response", [("breaking", "union-variant-removed")]),
        ("Annotated[Cat | Dog, Field(discriminator='kind')]", "Annotated[Cat | Dog | Bird, Field(discriminator='kind')]", "response", [("risk", "union-variant-added")]),
        ("Cat | Dog", "Cat | Dog | Bird", "request", [("compatible", "union-variant-added")]),
        ("Cat", "Dog", "request", [("breaking", "type-changed")]),
    ],
)
def test_compare_types(old: str, new: str, direction: diff.Direction, expected: list[tuple[str, str]]) -> None:
    assert codes(old, new, direction) == expected


def test_annotations_are_parsed_not_evaluated(tmp_path: Path) -> None:
    sentinel = tmp_path / "PWNED"
    payload = f"Literal[__import__('os').system('touch {sentinel}')]"
    assert diff.compare_types("Literal['a']", payload, "request", NAMES)
    assert diff.compare_types(payload, "str", "response", NAMES)
    assert not sentinel.exists()


HOSTILE = sorted((Path(__file__).resolve().parent / "cases" / "hostile").glob("*.yaml"))


@pytest.mark.parametrize("spec", HOSTILE, ids=[p.stem for p in HOSTILE])
def test_hostile_specs_diff_on_one_line_each(spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Names with newlines or terminal escapes cannot split a change over lines or reach the terminal."""
    assert cli.main(["diff", str(spec), str(spec)]) == 0
    assert capsys.readouterr().out == "no changes to the generated API\n"
    for old, new in ((spec, HOSTILE[0]), (CASES / "no_changes" / "old.yaml", spec)):
        if old == new:
            continue
        code = cli.main(["diff", str(old), str(new)])
        out = capsys.readouterr().out
        lines = out.splitlines()
        assert code in (0, 1)
        assert lines[-1].split(":")[0].endswith(("change", "changes"))
        total = int(lines[-1].split(" ")[0])
        assert len(lines) == total + 1
        assert all(line.isprintable() for line in lines), [line for line in lines if not line.isprintable()]
        cli.main(["diff", "--format", "json", str(old), str(new)])
        assert len(json.loads(capsys.readouterr().out)["changes"]) == total


def test_summary_since_the_previous_spec(tmp_path: Path) -> None:
    """What ``generate`` would print, given the spec copy kept in the output directory."""
    case = CASES / "param_removed"
    out = tmp_path / "out"
    out.mkdir()
    previous = out / diff.PREVIOUS_SPEC
    assert diff.summary_since(previous, case / "new.yaml", package="pets") is None  # first run
    previous.write_bytes((case / "old.yaml").read_bytes())
    text = diff.summary_since(previous, case / "new.yaml", package="pets")
    assert text is not None
    assert text.splitlines()[:2] == [
        "API changes since the previous generation: 1 change: 1 breaking, 0 risk, 0 compatible",
        "  BREAKING pets.list_pets(size): argument size (query 'size') was removed [param-removed]"
        " at .partner-codegen-spec#/paths/~1pets/get/parameters",
    ]
    previous.write_bytes((case / "new.yaml").read_bytes())
    assert diff.summary_since(previous, case / "new.yaml", package="pets") == "API changes since the previous generation: none"
    previous.write_text("not: [a spec")  # from an older generator, or damaged: nothing to compare
    assert diff.summary_since(previous, case / "new.yaml", package="pets") is None


# ----------------------------------------------------------------------------- fast paths
def test_summary_between_matches_summary_since(tmp_path: Path) -> None:
    """What the pipeline prints from objects it already built is what ``summary_since`` prints."""
    previous = tmp_path / diff.PREVIOUS_SPEC
    for case in PAIRS:
        for old, new in ((case / "old.yaml", case / "new.yaml"), (case / "new.yaml", case / "new.yaml")):
            previous.write_bytes(old.read_bytes())
            built = diff.build_previous(previous, package="pets")
            assert built is not None
            expected = diff.summary_since(previous, new, package="pets")
            assert diff.summary_between(*built, *diff.build_api(new, package="pets")) == expected, case.name
    previous.write_text("not: [a spec")
    assert diff.build_previous(previous, package="pets") is None
    assert diff.build_previous(tmp_path / "missing", package="pets") is None


def _unrenamed(api: Api, old_name: str, new_name: str) -> Api:
    """``api`` with one definition renamed but every annotation still naming the old one."""
    return replace(api, definitions=tuple(replace(d, name=new_name) if d.name == old_name else d for d in api.definitions))


def _slow_report(old: Api, new: Api, monkeypatch: pytest.MonkeyPatch) -> diff.Report:
    """The report with no memoisation and every operation and definition compared in full."""
    with monkeypatch.context() as patch:
        for module in (diff.types, diff.usage, diff.differ):  # wherever the memoised readers are used
            for name in ("members", "identifiers"):
                if hasattr(module, name):
                    patch.setattr(module, name, getattr(module, name).__wrapped__)
        patch.setattr(diff.Differ, "mentions_renamed", lambda self, annotations: True)
        return diff.compare(old, new)


def test_skipping_unchanged_things_changes_no_report(monkeypatch: pytest.MonkeyPatch) -> None:
    pairs = [(api(case / "old.yaml"), api(case / "new.yaml")) for case in PAIRS]
    pets, partner = api(CASES / "no_changes" / "old.yaml"), api(Path("spec/partner-v2.yaml"))
    pairs += [(pets, partner), (partner, pets)]
    # Renamed definitions whose users did not change: their types differ only once translated.
    for renamed in (_unrenamed(pets, "Pet", "Animal"), _unrenamed(pets, "Size", "Dimension")):
        pairs += [(pets, renamed), (renamed, pets)]
    for old, new in pairs:
        assert diff.compare(old, new) == _slow_report(old, new, monkeypatch)
    report = diff.compare(pets, _unrenamed(pets, "Size", "Dimension"))
    assert any(c.code == "model-renamed" for c in report.changes), report.text()
    assert any(c.code == "param-type-changed" and c.subject.startswith("pets.") for c in report.changes), report.text()


def test_memoised_types_depend_on_the_names() -> None:
    cat_dog = frozenset({"Cat", "Dog"})
    for _ in range(2):  # the second round is served from the caches
        assert [f.code for f in diff.compare_types("Cat", "Cat | Dog", "response", cat_dog)] == ["union-variant-added"]
        assert [f.code for f in diff.compare_types("Cat", "Cat | Dog", "response", frozenset())] == ["type-changed"]
