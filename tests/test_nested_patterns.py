"""Patterns below a property: array items, map values, union variants, lists of lists, a
``$ref`` to a patterned string, and a query parameter's items.

A property's own pattern is its field's metadata; a nested one is part of the type
(``list[Annotated[str, Pattern(...)]]``), so every value the schema constrains is checked, by
the models and before a request is sent. The spec is ``tests/fixtures/nested_patterns.yaml``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pydantic
import pytest

from generator import cli

SPEC = Path(__file__).resolve().parent / "fixtures" / "nested_patterns.yaml"


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("nested")
    assert cli.main(["generate", str(SPEC), "--out", str(out), "--package", "nested_patterns", "--no-cache"]) == 0
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("nested_patterns")
    finally:
        sys.path.remove(str(out))


GOOD: dict[str, Any] = {
    "tags": ["a-b.c", "d_1"],
    "codes": ["abc-1"],
    "grid": [["a1", "2b"], []],
    "labels": {"x": "v1", "y": "v22"},
    "either": "#00ff00",
}
BAD: list[tuple[str, Any]] = [
    ("tags", ["fine", "not fine"]),  # [\w-.] is word characters, '-' and '.'
    ("codes", ["abc-1", "ABC-1"]),  # a $ref to a patterned string
    ("grid", [["a1"], ["abc"]]),  # lookahead (Python's re), two levels down
    ("labels", {"x": "v1", "y": "w2"}),
    ("either", "#00ff0"),  # the string variant's pattern; integers still pass
]


def test_nested_values_that_match_are_accepted(package: ModuleType) -> None:
    thing = package.models.Thing.model_validate(GOOD)
    assert thing.model_dump(by_alias=True, exclude_none=True) == GOOD
    assert package.models.Thing(either=7).either == 7


@pytest.mark.parametrize(("field", "value"), BAD, ids=[f for f, _ in BAD])
def test_nested_values_that_do_not_match_are_refused(package: ModuleType, field: str, value: Any) -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        package.models.Thing.model_validate({**GOOD, field: value})
    assert any(e["type"] == "string_pattern_mismatch" for e in info.value.errors()), info.value


def _client(package: ModuleType, sent: list[httpx.Request]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    return package.Client(base_url="http://127.0.0.1:9", http_client=httpx.Client(transport=httpx.MockTransport(handler)), max_retries=0)


def test_nothing_is_sent_when_a_nested_value_does_not_match(package: ModuleType) -> None:
    sent: list[httpx.Request] = []
    client = _client(package, sent)
    client.default.create_thing(codes=["AB", "CD"], **{"codes_2": ["abc-1"]})
    assert len(sent) == 1 and sent[0].url.params.get_list("codes") == ["AB", "CD"]
    for kwargs in ({"codes": ["AB", "cd"]}, {"codes_2": ["x"]}, {"grid": [["nodigit"]]}):
        with pytest.raises(pydantic.ValidationError):
            client.default.create_thing(**kwargs)
    assert len(sent) == 1
