"""Specs with problems that do not change the generated code: warnings, and --strict.

Every ``tests/cases/warnings/<name>.yaml`` is one kind of warning. Without ``--strict`` it
generates (exit 0), each finding is a ``warning: FILE#POINTER: message`` line on stderr
(expected in ``<name>.expected``) and the summary line counts them; with ``--strict`` on
``generate``, ``check`` and ``validate`` the same findings are errors (exit 2, nothing written).
``UPDATE_GOLDEN=1 pytest tests/test_warnings.py`` rewrites the expectations; review the diff.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pydantic
import pytest
from test_errors import tree_digest

from generator import cli

CASES = Path(__file__).resolve().parent / "cases" / "warnings"
SPECS = sorted(CASES.glob("*.yaml"))
KINDS = {
    "default_wrong_type", "default_wrong_format", "default_not_in_enum", "example_wrong", "required_undeclared",
    "const_in_3_0", "field_not_allowed", "enum_only_null", "pattern_not_ecma", "pattern_variable_lookbehind",
    "pattern_variable_lookbehind_model", "pattern_not_string", "enum_value_wrong_type",
    "example_outside_schema",
}


def test_catalogue_has_a_case_per_kind() -> None:
    assert {p.stem for p in SPECS} == KINDS


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_warning_generates_and_is_reported(spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = _run(["generate", str(spec), "--out", str(out), "--package", "warned", "--no-cache"], capsys)
    assert code == 0, stderr
    lines = stderr.splitlines()
    assert lines and all(line.startswith(f"warning: {spec.name}#/") for line in lines), stderr
    count = len(lines)
    assert f"{count} warning{'s' if count != 1 else ''})" in stdout
    assert (out / "warned" / "models" / "__init__.py").is_file()
    expected_file = spec.with_suffix(".expected")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_file.write_text(stderr)
    assert expected_file.exists(), f"no snapshot; run UPDATE_GOLDEN=1 pytest {__file__}"
    assert stderr == expected_file.read_text()
    # check: the same warnings, and the summary says up to date with them counted
    code, stdout, stderr_check = _run(["check", str(spec), "--out", str(out), "--package", "warned", "--no-cache"], capsys)
    assert code == 0 and stderr_check == stderr and f"{count} warning" in stdout
    # validate: the same findings, and "valid" with the count
    code, stdout, stderr_validate = _run(["validate", str(spec)], capsys)
    assert code == 0 and stderr_validate == stderr and stdout.startswith(f"{spec}: valid, {count} warning")


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_strict_makes_warnings_errors(spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, _, warned = _run(["generate", str(spec), "--out", str(out), "--package", "warned", "--no-cache"], capsys)
    assert code == 0
    as_errors = "".join(line.replace("warning: ", "error: ", 1) + "\n" for line in warned.splitlines())
    before = tree_digest(out)
    (out / "warned" / "models" / "__init__.py").write_text("# edited\n")  # strict must not write, even to repair
    before = tree_digest(out)
    count = len(warned.splitlines())
    summary = f"{count} problem{'s' if count != 1 else ''} found; nothing was written.\n"
    for command in (["generate"], ["check"]):
        code, _, stderr = _run([*command, str(spec), "--out", str(out), "--package", "warned", "--strict"], capsys)
        assert code == 2, stderr
        assert stderr == as_errors + summary
        assert tree_digest(out) == before
    code, stdout, stderr = _run(["validate", str(spec), "--strict"], capsys)
    assert code == 2 and stderr == as_errors + summary and "valid" not in stdout


def test_fresh_output_is_not_created_under_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, _, _ = _run(["generate", str(CASES / "field_not_allowed.yaml"), "--out", str(out), "--strict"], capsys)
    assert code == 2
    assert not out.exists()


def test_warnings_survive_the_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A second run of an unchanged spec with warnings reports them again (the cache keeps
    them with the tree it serves), and so does a run after an edit."""
    spec = tmp_path / "spec.yaml"
    spec.write_text((CASES / "default_wrong_type.yaml").read_text())
    argv = ["generate", str(spec), "--out", str(tmp_path / "out"), "--package", "warned"]
    first = _run(argv, capsys)
    second = _run(argv, capsys)
    assert first[0] == second[0] == 0
    assert first[2] == second[2] and first[2].count("warning:") == 2
    spec.write_text(spec.read_text().replace("operationId: listThings", "operationId: listAllThings"))
    third = _run(argv, capsys)
    assert third[0] == 0 and third[2].count("warning:") == 2


def test_errors_are_still_errors_with_warnings_beside(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An error (here the model's: two operations become one method) still refuses the spec;
    the warnings found beside it are printed too, and counted apart."""
    spec = tmp_path / "both.yaml"
    spec.write_text(
        (CASES / "field_not_allowed.yaml").read_text()
        + "  /other:\n    get:\n      operationId: list_things\n      responses: {'200': {description: ok}}\n"
    )
    code, _, stderr = _run(["generate", str(spec), "--out", str(tmp_path / "out")], capsys)
    assert code == 2
    assert "warning: both.yaml#/paths/~1things/get/title: " in stderr
    assert "error: both.yaml#/paths/~1other/get: operation maps to method default.list_things" in stderr
    assert stderr.endswith("1 problem and 1 warning found; nothing was written.\n")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- what the code says


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    """Every case generated once, its models module imported (package ``warned_<case>``)."""
    root = tmp_path_factory.mktemp("warned")
    modules: dict[str, ModuleType] = {}
    # One directory each: a generation removes what an earlier one wrote in its output, and
    # the models' modules are imported when first used, after every case is generated.
    outs = [str(root / spec.stem) for spec in SPECS]
    sys.path[:0] = outs
    try:
        for spec in SPECS:
            package = f"warned_{spec.stem}"
            assert cli.main(["generate", str(spec), "--out", str(root / spec.stem), "--package", package, "--no-cache"]) == 0
            modules[spec.stem] = importlib.import_module(f"{package}.models")
        yield modules
    finally:
        for out in outs:
            sys.path.remove(out)


def _model(module: ModuleType) -> type[pydantic.BaseModel]:
    # ``models`` names each model; its class lives in a module of its own under models/.
    found = (getattr(module, name) for name in module.__all__)
    models = [v for v in found if isinstance(v, type) and issubclass(v, pydantic.BaseModel)]
    assert len(models) == 1
    return models[0]


@pytest.mark.parametrize("case", ["default_wrong_type", "default_wrong_format", "default_not_in_enum"])
def test_invalid_defaults_are_left_out(case: str, generated: dict[str, ModuleType]) -> None:
    model = _model(generated[case])
    assert model.model_fields, case
    for name, info in model.model_fields.items():
        assert info.default is None, (case, name, info.default)
    assert all(value is None for value in model().model_dump().values())


def test_valid_default_is_kept(tmp_path: Path) -> None:
    spec = tmp_path / "ok.yaml"
    spec.write_text((CASES / "default_not_in_enum.yaml").read_text().replace("default: 6", "default: '6'"))
    assert cli.main(["generate", str(spec), "--out", str(tmp_path), "--package", "kept", "--no-cache"]) == 0
    # (a response field: its enum is read leniently, see the client's lenient responses)
    line = re.search(r"^    months: (.*)$", "".join(p.read_text() for p in sorted((tmp_path / "kept" / "models").glob("*.py"))), re.M)
    assert line is not None and 'Literal["6", "12"]' in line[1] and line[1].endswith(' = "6"'), line


def test_required_name_without_property_is_a_required_field_of_any_type(generated: dict[str, ModuleType]) -> None:
    model = generated["required_undeclared"].Thing
    assert model.model_fields["label"].is_required()
    assert model(id="1", label=[1, {"x": None}]).label == [1, {"x": None}]
    with pytest.raises(pydantic.ValidationError, match="label"):
        model(id="1")


def test_const_in_3_0_is_honoured(generated: dict[str, ModuleType]) -> None:
    model = _model(generated["const_in_3_0"])
    assert model(kind="thing").kind == "thing"  # type: ignore[attr-defined]
    with pytest.raises(pydantic.ValidationError):
        model(kind="other")


def test_enum_of_only_null_is_null(generated: dict[str, ModuleType]) -> None:
    model = _model(generated["enum_only_null"])
    assert model(gone=None).gone is None  # type: ignore[attr-defined]
    with pytest.raises(pydantic.ValidationError):
        model(gone="x")


@pytest.mark.parametrize("case", ["pattern_not_ecma", "pattern_variable_lookbehind_model", "pattern_not_string"])
def test_unusable_pattern_is_not_enforced(case: str, generated: dict[str, ModuleType]) -> None:
    model = _model(generated[case])
    assert model(code="anything at all").code == "anything at all"  # type: ignore[attr-defined]


def test_enum_values_of_another_type_are_left_out(tmp_path: Path) -> None:
    """Values ``type`` forbids are dropped, integral floats bind as ints, an enum of no fitting value is ignored."""
    spec = CASES / "enum_value_wrong_type.yaml"
    assert cli.main(["generate", str(spec), "--out", str(tmp_path), "--package", "wrong_type", "--no-cache"]) == 0
    source = (tmp_path / "wrong_type" / "resources" / "default.py").read_text()
    assert 'scope: Literal["all", "none"] | Omit | None = OMIT' in source
    assert "level: Literal[1, 2] | Omit = OMIT" in source
    assert "extended: str | Omit = OMIT" in source  # no value was a string: the enum is ignored
    # the extension under ``paths`` is no path: the one operation is all there is
    methods = (tmp_path / "wrong_type" / "_methods.py").read_text()
    assert re.findall(r'path="([^"]*)"', methods) == ["/things"], methods
