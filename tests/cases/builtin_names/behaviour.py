"""Properties, parameters and schemas named like Python builtins."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pydantic
import pytest
from cases.support import wire

VALUES = {
    "str": "s",
    "int": 1,
    "float": 1.5,
    "bool": True,
    "list": ["a"],
    "dict": {"k": "v"},
    "bytes": "b",
    "type": "t",
    "id": "i",
    "object": "o",
    "name": "n",
    "count": 2,
    "flag": False,
    "ratio": 0.5,
    "tags": ["x", "y"],
    "mapping": {"m": 1},
    "nested": {"items": ["z"]},
}


def check_fields_named_like_builtins_round_trip(pkg: Any) -> None:
    values = pkg.models.Values.model_validate(VALUES)
    assert values.model_dump(mode="json", exclude_unset=True) == VALUES


def check_later_fields_keep_their_builtin_types(pkg: Any) -> None:
    with pytest.raises(pydantic.ValidationError, match="count"):
        pkg.models.Values.model_validate({"count": "many"})
    with pytest.raises(pydantic.ValidationError, match="name"):
        pkg.models.Values.model_validate({"name": 5})
    with pytest.raises(pydantic.ValidationError, match="mapping"):
        pkg.models.Values.model_validate({"mapping": {"m": "x"}})


def check_request_with_builtin_named_arguments(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(200, json=json.loads(r.content)))
    result = client.default.type(**VALUES, filter="f", max=3, input=["i", "j"])
    assert json.loads(sent[0].content) == VALUES
    assert result.model_dump(mode="json", exclude_unset=True) == VALUES
    assert sent[0].url.params.multi_items() == [("filter", "f"), ("max", "3"), ("input", "i"), ("input", "j")]
