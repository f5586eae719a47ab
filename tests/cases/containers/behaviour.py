"""Arrays, maps (additionalProperties schemas) and free-form objects."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pydantic
import pytest
from cases.support import echo, wire

FULL: dict[str, Any] = {
    "items": [{"sku": "a"}, {"sku": "b", "qty": 2}],
    "matrix": [[1, 2], [3]],
    "by_sku": {"a": {"sku": "a", "qty": 1}},
    "counts": {"x": 1, "y": 0},
    "groups": {"g": ["a", "b"], "empty": []},
    "nested": {"outer": {"inner": "v"}},
    "labels": {"env": "prod"},
    "attributes": {"free": {"form": [1, "two", None, True]}},
    "extra": {"k": None},
    "anything": [1, "two"],
}


def check_request_json_is_exact(pkg: Any) -> None:
    client, sent = wire(pkg, echo())
    args = {**FULL, "items": [{"sku": "a"}, pkg.models.Item(sku="b", qty=2)]}
    client.default.replace_inventory(**args)
    assert json.loads(sent[0].content) == FULL


def check_arrays_and_maps_of_models_parsed(pkg: Any) -> None:
    client, _ = wire(pkg, echo())
    inventory = client.default.replace_inventory(**FULL)
    assert [type(i) for i in inventory.items] == [pkg.models.Item, pkg.models.Item]
    assert isinstance(inventory.by_sku["a"], pkg.models.Item) and inventory.by_sku["a"].qty == 1
    assert inventory.matrix == [[1, 2], [3]]
    assert inventory.groups == {"g": ["a", "b"], "empty": []}
    assert inventory.nested == {"outer": {"inner": "v"}}
    assert inventory.labels == {"env": "prod"}


def check_free_form_values_kept(pkg: Any) -> None:
    client, _ = wire(pkg, echo())
    inventory = client.default.replace_inventory(**FULL)
    assert inventory.attributes == FULL["attributes"]
    assert inventory.extra == {"k": None}
    assert inventory.anything == [1, "two"]


def check_container_items_validated(pkg: Any) -> None:
    client, sent = wire(pkg, echo())
    with pytest.raises(pydantic.ValidationError, match="items"):
        client.default.replace_inventory(items=[{"qty": 1}])
    with pytest.raises(pydantic.ValidationError, match="counts"):
        client.default.replace_inventory(counts={"x": "many"})
    with pytest.raises(pydantic.ValidationError, match="matrix"):
        client.default.replace_inventory(matrix=[["a"]])
    with pytest.raises(pydantic.ValidationError, match="labels"):
        client.default.replace_inventory(labels={"env": 1})
    assert sent == []


def check_map_values_validated_in_responses(pkg: Any) -> None:
    client, _ = wire(pkg, lambda r: httpx.Response(200, json={"counts": {"x": "many", "y": 2}}))
    with pytest.raises(pkg.APIResponseValidationError):
        client.default.replace_inventory(strict_response_validation=True)
    # Read leniently by default: what does not validate is kept as it arrived.
    assert client.default.replace_inventory().counts == {"x": "many", "y": 2}


def check_top_level_array_and_map_responses(pkg: Any) -> None:
    client, _ = wire(pkg, lambda r: httpx.Response(200, json=[{"sku": "a"}, {"sku": "b"}]))
    items = client.default.list_items()
    assert [i.sku for i in items] == ["a", "b"] and all(isinstance(i, pkg.models.Item) for i in items)
    client, _ = wire(pkg, lambda r: httpx.Response(200, json={"a": 1, "b": 2}))
    assert client.default.get_counts() == {"a": 1, "b": 2}
    client, _ = wire(pkg, lambda r: httpx.Response(200, json={"a": "x"}))
    with pytest.raises(pkg.APIResponseValidationError):
        client.with_options(strict_response_validation=True).default.get_counts()
    assert client.default.get_counts() == {"a": "x"}


def check_request_id_on_returned_lists_and_models(pkg: Any) -> None:
    answer = [{"sku": "a"}]
    client, _ = wire(pkg, lambda r: httpx.Response(200, json=answer, headers={"X-Request-Id": "req-7"}))
    items = client.default.list_items()
    assert isinstance(items, list) and items._request_id == "req-7"
    assert items[0].sku == "a"
