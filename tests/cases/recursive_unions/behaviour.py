"""Recursion that goes through a union (discriminated or not)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

BASE_URL = "http://127.0.0.1:9"


def wire(pkg: Any, answer: Callable[[httpx.Request], httpx.Response]) -> tuple[Any, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return answer(request)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return pkg.Client(base_url=BASE_URL, http_client=http, max_retries=0), sent


def echo(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=json.loads(request.content))


EXPR = {"op": "Sum", "terms": [{"op": "Const", "value": 1}, {"op": "Sum", "terms": [{"op": "Const", "value": 2}]}]}


def check_recursive_discriminated_union(pkg: Any) -> None:
    client, sent = wire(pkg, echo)
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
