"""Operations without an operationId are named from their method and path."""

from __future__ import annotations

import json
from typing import Any

import httpx
from cases.support import wire

METHODS = {
    "get": ("GET", "/"),
    "get_things": ("GET", "/things"),
    "post_things": ("POST", "/things"),
    "get_things_by_thing_id": ("GET", "/things/{thingId}"),
    "delete_things_by_thing_id": ("DELETE", "/things/{thingId}"),
    "put_things_by_thing_id_sub_items_by_sub_id": ("PUT", "/things/{thingId}/sub-items/{sub_id}"),
    "patch_v2_things_json": ("PATCH", "/v2/things.json"),
}


def check_method_names_from_method_and_path(pkg: Any) -> None:
    table = {m.name: (m.http_method, m.path) for m in pkg.METHODS}
    assert table == METHODS


def check_each_method_calls_its_operation(pkg: Any) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/things" and request.method == "GET":
            return httpx.Response(200, json=["a"])
        if request.url.path == "/things" and request.method == "POST":
            return httpx.Response(201, json={"id": "t1"})
        return httpx.Response(204)

    client, sent = wire(pkg, answer)
    assert client.default.get() is None
    assert client.default.get_things() == ["a"]
    assert client.default.post_things(name="x").id == "t1"
    assert client.default.get_things_by_thing_id(thing_id="t1") is None
    assert client.default.delete_things_by_thing_id(thing_id="t1") is None
    assert client.default.put_things_by_thing_id_sub_items_by_sub_id(thing_id="t1", sub_id=2) is None
    assert client.default.patch_v2_things_json() is None
    assert [(r.method, r.url.path) for r in sent] == [
        ("GET", "/"),
        ("GET", "/things"),
        ("POST", "/things"),
        ("GET", "/things/t1"),
        ("DELETE", "/things/t1"),
        ("PUT", "/things/t1/sub-items/2"),
        ("PATCH", "/v2/things.json"),
    ]
    assert json.loads(sent[2].content) == {"name": "x"}
