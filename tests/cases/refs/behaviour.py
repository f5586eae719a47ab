"""$ref'd parameters, request bodies, responses, and schemas that are only a $ref."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pydantic
import pytest
from cases.support import ok, wire

ITEM = {"id": "it-1", "name": "one"}


def check_refd_parameters(pkg: Any) -> None:
    client, sent = wire(pkg, ok([]))
    client.default.list_items(page_size=5, x_trace="tr-1")
    assert sent[0].url.query == b"page_size=5" and sent[0].headers["X-Trace"] == "tr-1"
    client, sent = wire(pkg, ok(ITEM))
    client.default.get_item(item_id="it-7", x_trace="tr-2")
    assert sent[0].url.path == "/items/it-7" and sent[0].headers["X-Trace"] == "tr-2"


def check_refd_parameter_schema_constraints(pkg: Any) -> None:
    client, sent = wire(pkg, ok(ITEM))
    with pytest.raises(pydantic.ValidationError, match="item_id"):
        client.default.get_item(item_id="seven")
    assert sent == []


def check_refd_request_body(pkg: Any) -> None:
    client, sent = wire(pkg, ok(ITEM, 201))
    with pytest.raises(TypeError, match="name"):
        client.default.create_item()
    item = client.default.create_item(name="one")
    assert json.loads(sent[0].content) == {"name": "one"}
    client.default.replace_item(item_id="it-1", name="uno")
    assert sent[1].method == "PUT" and json.loads(sent[1].content) == {"name": "uno"}
    assert isinstance(item, pkg.models.Item)


def check_refd_responses(pkg: Any) -> None:
    client, _ = wire(pkg, ok(ITEM))
    item = client.default.get_item(item_id="it-1")
    assert isinstance(item, pkg.models.Item) and item.name == "one"
    client, _ = wire(pkg, ok({"errors": [{"code": "missing", "detail": "no such item"}]}, 404))
    with pytest.raises(pkg.NotFoundError) as caught:
        client.default.get_item(item_id="it-1")
    assert [e.detail for e in caught.value.errors] == ["no such item"]
    client, _ = wire(pkg, ok({"id": "bad", "name": "x"}))
    with pytest.raises(pkg.APIResponseValidationError):
        client.default.get_item(item_id="it-1", strict_response_validation=True)
    item = client.default.get_item(item_id="it-1")
    assert isinstance(item, pkg.models.Item) and (item.id, item.name) == ("bad", "x")


def check_refd_no_content_response(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(204))
    assert client.default.delete_item(item_id="it-1") is None
    assert sent[0].method == "DELETE"


def check_schema_that_is_only_a_ref(pkg: Any) -> None:
    client, _ = wire(pkg, ok([ITEM]))
    [item] = client.default.list_items()
    assert isinstance(item, pkg.models.Item) and item.id == "it-1"
    client, _ = wire(pkg, ok([{"id": "it-1"}]))
    with pytest.raises(pkg.APIResponseValidationError):
        client.default.list_items(strict_response_validation=True)
    [item] = client.default.list_items()
    assert isinstance(item, pkg.models.Item) and item.id == "it-1" and item.name is None
