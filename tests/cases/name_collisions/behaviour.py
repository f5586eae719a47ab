"""Names that collide after normalisation get distinct identifiers; wire names stay exact."""

from __future__ import annotations

import inspect
import json
from typing import Any

import httpx
import pydantic
import pytest
from cases.support import wire

COMMON = {"extra_headers", "extra_query", "extra_body", "timeout", "max_retries", "strict_response_validation"}
USER_NAMES = ["userName", "user_name", "user-name", "UserName", "USER_NAME"]


def fields_by_wire(model: type[pydantic.BaseModel]) -> dict[str, str]:
    return {field.alias or name: name for name, field in model.model_fields.items()}


def check_colliding_schema_names_get_distinct_classes(pkg: Any) -> None:
    record = pkg.models.Record.model_validate({"ref1": {"a": "1"}, "ref2": {"b": "2"}, "ref3": {"c": "3"}})
    classes = [type(record.ref1), type(record.ref2), type(record.ref3)]
    assert len(set(classes)) == 3
    assert [set(fields_by_wire(c)) for c in classes] == [{"a"}, {"b"}, {"c"}]
    assert all(c.__name__ in pkg.models.__all__ for c in classes)


def check_schemas_named_like_generated_code_names(pkg: Any) -> None:
    record = pkg.models.Record.model_validate({"lit": {"d": "x"}, "model": {"e": "y"}})
    assert set(fields_by_wire(type(record.lit))) == {"d"} and record.lit.d == "x"
    assert set(fields_by_wire(type(record.model))) == {"e"} and record.model.e == "y"
    assert issubclass(type(record.model), pydantic.BaseModel)


def check_inline_schema_named_like_a_component(pkg: Any) -> None:
    assert set(fields_by_wire(pkg.models.CreateRecordResponse)) == {"component"}
    client, _ = wire(pkg, lambda r: httpx.Response(201, json={"inline": True}))
    created = client.default.create_record()
    assert set(fields_by_wire(type(created))) == {"inline"} and created.inline is True


def check_colliding_property_names_keep_wire_names(pkg: Any) -> None:
    by_wire = fields_by_wire(pkg.models.Record)
    names = [by_wire[w] for w in USER_NAMES]
    assert len(set(names)) == len(USER_NAMES)
    assert all(n.isidentifier() for n in names)
    payload = {wire_name: f"v{i}" for i, wire_name in enumerate(USER_NAMES)}
    record = pkg.models.Record.model_validate(payload)
    assert [getattr(record, by_wire[w]) for w in USER_NAMES] == list(payload.values())
    assert record.model_dump(mode="json", exclude_unset=True) == payload


def check_colliding_body_and_query_arguments(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(201, json={}))
    params = [n for n in inspect.signature(client.default.create_record).parameters if n not in COMMON]
    assert len(params) == 1 + len(USER_NAMES) + 6  # the query parameter, the body's properties
    strings = [n for n in params if not n.startswith(("ref", "lit", "model", "other"))]
    client.default.create_record(**{n: f"value-of-{n}" for n in strings})
    body = json.loads(sent[0].content)
    query = dict(sent[0].url.params.multi_items())
    assert set(body) == set(USER_NAMES) and set(query) == {"user_name"}
    assert len(set(body.values()) | set(query.values())) == len(strings)


def check_colliding_parameter_names(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(200, json={}))
    params = [n for n in inspect.signature(client.default.get_record).parameters if n not in COMMON]
    assert len(params) == 4 and all(n.isidentifier() for n in params)
    client.default.get_record(**{n: f"v-{n}" for n in params})
    request = sent[0]
    path_value = request.url.path.removeprefix("/records/")
    query = request.url.params.multi_items()
    assert [name for name, _ in query] == ["record_id"]
    header = request.headers["Record-Id"]
    cookie = request.headers["Cookie"]
    assert cookie.startswith("recordId=")
    values = {path_value, query[0][1], header, cookie.removeprefix("recordId=")}
    assert values == {f"v-{n}" for n in params}


def check_a_schema_named_like_the_pattern_check_keeps_both(pkg: Any) -> None:
    """A schema called ``Pattern`` gets another class name (its module imports the pattern
    check of that name for its own field), and the check still runs."""
    assert "Pattern" not in pkg.models.__all__
    model = pkg.models.Pattern2
    assert model(code="abc").code == "abc"
    with pytest.raises(pydantic.ValidationError) as info:
        model(code="ABC")
    assert info.value.errors()[0]["type"] == "string_pattern_mismatch"
