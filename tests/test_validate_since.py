"""Validating only what changed gives exactly the verdict of validating the whole document.

:func:`generator.validate.check_since` is what a regeneration uses when the output's cache
holds the previous (valid) document. Each case below edits a valid spec and compares its
report with :func:`generator.validate.check` on the whole edited document.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.load import Document, load
from generator.validate import changed_part, check, check_since

ROOT = Path(__file__).resolve().parent.parent
SPECS = [ROOT / "spec" / "partner-v2.yaml", *sorted((ROOT / "tests" / "cases").glob("*/spec.yaml"))]

Edit = Callable[[dict[str, Any]], None]


def _first_operation(root: dict[str, Any]) -> dict[str, Any]:
    for item in root["paths"].values():
        for method in ("get", "put", "post", "delete", "patch"):
            if method in item:
                op: dict[str, Any] = item[method]
                return op
    raise AssertionError("no operation")


def _first_schema(root: dict[str, Any]) -> dict[str, Any]:
    for schema in root.get("components", {}).get("schemas", {}).values():
        if isinstance(schema, dict):
            return schema
    raise AssertionError("no schema")


def retitle(root: dict[str, Any]) -> None:
    _first_operation(root)["summary"] = "edited"


def bad_type_in_an_operation(root: dict[str, Any]) -> None:
    _first_operation(root)["responses"]["599"] = {"description": "x", "content": {"application/json": {"schema": {"type": 5}}}}


def bad_type_in_a_schema(root: dict[str, Any]) -> None:
    _first_schema(root)["type"] = "objekt"


def bad_default_in_a_schema(root: dict[str, Any]) -> None:
    root["components"]["schemas"]["ZzExtra"] = {"type": "integer", "default": "not a number"}


def duplicate_operation_id(root: dict[str, Any]) -> None:
    op = _first_operation(root)
    root["paths"]["/zz-extra"] = {"get": {"operationId": op.get("operationId", "x"), "responses": {"200": {"description": "ok"}}}}
    op.setdefault("operationId", "x")


def new_path(root: dict[str, Any]) -> None:
    root["paths"]["/zz-extra"] = {"get": {"operationId": "zzExtra", "responses": {"204": {"description": "done"}}}}


def remove_a_path(root: dict[str, Any]) -> None:
    root["paths"].pop(next(iter(root["paths"])))


def required_not_defined_through_all_of(root: dict[str, Any]) -> None:
    schemas = root.setdefault("components", {}).setdefault("schemas", {})
    schemas["ZzBase"] = {"type": "object", "properties": {"a": {"type": "string"}}}
    schemas["ZzChild"] = {"allOf": [{"$ref": "#/components/schemas/ZzBase"}], "required": ["b"]}


def status_that_is_not_a_status(root: dict[str, Any]) -> None:
    _first_operation(root)["responses"]["600"] = {"description": "x"}


def pattern_that_does_not_compile(root: dict[str, Any]) -> None:
    _first_schema(root).setdefault("properties", {})["zz"] = {"type": "string", "pattern": "(unclosed"}


def all_of_cycle(root: dict[str, Any]) -> None:
    schemas = root.setdefault("components", {}).setdefault("schemas", {})
    schemas["ZzA"] = {"allOf": [{"$ref": "#/components/schemas/ZzB"}]}
    schemas["ZzB"] = {"allOf": [{"$ref": "#/components/schemas/ZzA"}]}


def path_parameter_not_in_the_template(root: dict[str, Any]) -> None:
    _first_operation(root).setdefault("parameters", []).append({"name": "zz", "in": "path", "required": True, "schema": {"type": "string"}})


EDITS: list[Edit] = [
    retitle,
    status_that_is_not_a_status,
    pattern_that_does_not_compile,
    all_of_cycle,
    path_parameter_not_in_the_template,
    bad_type_in_an_operation,
    bad_type_in_a_schema,
    bad_default_in_a_schema,
    duplicate_operation_id,
    new_path,
    remove_a_path,
    required_not_defined_through_all_of,
]


def _valid(spec: Path) -> Document:
    doc = load(spec)
    if check(doc):
        pytest.skip(f"{spec} is not valid to begin with")
    return doc


@pytest.mark.parametrize("edit", EDITS, ids=lambda e: e.__name__)
@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.parent.name)
def test_same_verdict_as_checking_everything(spec: Path, edit: Edit) -> None:
    before = _valid(spec)
    root = copy.deepcopy(before.root)
    try:
        edit(root)
    except (AssertionError, KeyError, StopIteration, AttributeError):
        pytest.skip("this spec has nothing for this edit to change")
    after = Document(file=before.file, root=root, sha256="edited")
    assert check_since(after, before.root) == check(after)


def test_an_unchanged_path_that_refers_to_a_changed_parameter_is_checked_too() -> None:
    """Our structural checks run on the reduced document: it must hold an unchanged path item
    whose shared parameter (a ``$ref``) changed so that the path no longer passes them."""
    old = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things/{id}": {
                "get": {
                    "operationId": "getThing",
                    "parameters": [{"$ref": "#/components/parameters/Id"}],
                    "responses": {"200": {"description": "ok"}},
                }
            },
            "/other": {"get": {"operationId": "other", "responses": {"200": {"description": "ok"}}}},
        },
        "components": {"parameters": {"Id": {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}}},
    }
    before = Document(file="spec.yaml", root=old, sha256="before")
    assert check(before) == []
    root = copy.deepcopy(old)
    root["components"]["parameters"]["Id"]["in"] = "query"
    root["components"]["parameters"]["Id"]["required"] = False
    after = Document(file="spec.yaml", root=root, sha256="after")
    expected = check(after)
    assert expected  # the template variable {id} has no path parameter any more
    assert check_since(after, before.root) == expected


def test_only_what_changed_and_what_it_touches_is_checked() -> None:
    before = load(ROOT / "spec" / "partner-v2.yaml")
    root = copy.deepcopy(before.root)
    retitle(root)
    reduced = changed_part(root, before.root)
    assert reduced is not None
    assert len(reduced["paths"]) == 1
    assert set(reduced) == set(root)  # every top-level member is kept whole
    kept = sum(len(entries) for entries in reduced["components"].values())
    total = sum(len(entries) for entries in root["components"].values())
    assert 0 < kept < total


def test_a_dependent_of_a_changed_schema_is_checked_too() -> None:
    old = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "Base": {"type": "object", "properties": {"a": {"type": "string"}}},
                "Child": {"allOf": [{"$ref": "#/components/schemas/Base"}], "default": {"a": "x"}},
                "Other": {"type": "string"},
            }
        },
    }
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Base"]["properties"] = {"a": {"type": "integer"}}  # Child's default no longer fits
    reduced = changed_part(new, old)
    assert reduced is not None
    assert set(reduced["components"]["schemas"]) == {"Base", "Child"}
    after = Document(file="t.yaml", root=new, sha256="x")
    assert check_since(after, old) == check(after) != []


def test_anything_but_a_previous_document_means_a_full_check() -> None:
    doc = load(ROOT / "spec" / "partner-v2.yaml")
    assert check_since(doc, None) == check(doc) == []
    assert changed_part({**doc.root, "paths": []}, doc.root) is None
