"""Recursion that goes through a union (discriminated or not)."""

from __future__ import annotations

import json
from typing import Any

import httpx
from cases.support import echo, wire

EXPR = {"op": "Sum", "terms": [{"op": "Const", "value": 1}, {"op": "Sum", "terms": [{"op": "Const", "value": 2}]}]}


def check_recursive_discriminated_union(pkg: Any) -> None:
    client, sent = wire(pkg, echo())
    result = client.default.evaluate(body=EXPR)
    assert json.loads(sent[0].content) == EXPR
    assert isinstance(result, pkg.models.Sum)
    assert isinstance(result.terms[0], pkg.models.Const)
    assert isinstance(result.terms[1], pkg.models.Sum)
    assert result.terms[1].terms[0].value == 2


def check_recursive_union_without_discriminator(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(204))
    body = {"all": [{"field": "a", "equals": "b"}, {"all": [{"field": "c", "equals": "d"}]}]}
    assert client.default.apply_filter(body=body) is None
    assert json.loads(sent[0].content) == body
