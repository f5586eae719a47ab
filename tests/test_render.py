"""Spec text that reaches generated code is escaped: it stays text, whatever it holds."""

from __future__ import annotations

import ast

import pytest

from generator.ir import Import, py_literal
from generator.render import docstring, import_lines, md_cell, toml_str

HOSTILE = [
    'ends with a quote"',
    'three """ quotes """ inside',
    "backslash \\ and \\N{BULLET} and \\x00 text",
    "real control \x00\x07\x1b chars",
    "line\rbreak\u2028separator",
    "{{ jinja }} {% if x %} and ${shell}",
    "'''; import os; os.system('echo pwned') #",
    '"""\nimport os\nos.system("echo pwned")\n"""',
    "trailing backslash \\",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_docstring_is_one_literal_with_the_same_value(text: str) -> None:
    literal = docstring(text)
    module = ast.parse(f"def f():\n    {literal}\n")
    body = module.body[0]
    assert isinstance(body, ast.FunctionDef) and len(body.body) == 1
    expr = body.body[0]
    assert isinstance(expr, ast.Expr) and isinstance(expr.value, ast.Constant)
    assert expr.value.value == text.replace("\t", "    ")


@pytest.mark.parametrize("value", [*HOSTILE, 0, -1, 1.5, True, None])
def test_py_literal_round_trips(value: object) -> None:
    assert ast.literal_eval(py_literal(value)) == value


def test_py_literal_refuses_containers() -> None:
    with pytest.raises(TypeError):
        py_literal({"a": 1})


def test_md_cell_keeps_a_table_row_intact() -> None:
    cell = md_cell("a | b\n<script>x</script>\nc")
    assert "\n" not in cell and "| b" not in cell.replace("\\|", "")
    assert "<script>" not in cell


def test_toml_str_is_one_basic_string() -> None:
    import tomllib

    for text in HOSTILE:
        assert tomllib.loads(f"k = {toml_str(text)}")["k"] == text


def test_import_lines_group_and_sort() -> None:
    lines = import_lines(
        [Import("typing", "Literal"), Import("pydantic", "Field"), Import("typing", "Any"), Import("datetime", "date")]
    )
    assert lines == ["from datetime import date", "from typing import Any, Literal", "", "from pydantic import Field"]
