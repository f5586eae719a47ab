"""Responses: no content -> None, JSON (any +json type) parsed, anything else returned raw."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from cases.support import wire


def check_204_returns_none(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(204))
    assert client.default.touch() is None
    assert sent[0].method == "POST" and sent[0].url.path == "/empty"
    raw = client.default.with_raw_response.touch()
    assert raw.status_code == 204 and raw.parse() is None


def check_other_success_without_content_returns_none(pkg: Any) -> None:
    client, _ = wire(pkg, lambda r: httpx.Response(202, text=""))
    assert client.default.enqueue() is None


def check_201_json_parsed(pkg: Any) -> None:
    client, _ = wire(pkg, lambda r: httpx.Response(201, json={"id": "t1"}))
    thing = client.default.create()
    assert isinstance(thing, pkg.models.Thing) and thing.id == "t1"


def check_error_status_raises_with_parsed_body(pkg: Any) -> None:
    body = {"errors": [{"detail": "gone fishing"}]}
    client, _ = wire(pkg, lambda r: httpx.Response(404, json=body, headers={"X-Request-Id": "req-1"}))
    with pytest.raises(pkg.NotFoundError) as caught:
        client.default.create()
    assert caught.value.status_code == 404 and caught.value.request_id == "req-1"
    assert [e.detail for e in caught.value.errors] == ["gone fishing"]


def check_csv_returned_raw(pkg: Any) -> None:
    csv = "a,b\n1,2\n"
    client, _ = wire(pkg, lambda r: httpx.Response(200, text=csv, headers={"Content-Type": "text/csv"}))
    response = client.default.download_report()
    assert isinstance(response, httpx.Response)
    assert response.text == csv and response.headers["Content-Type"] == "text/csv"


def check_non_json_request_accepts_its_media_type(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(200, text="a\n", headers={"Content-Type": "text/csv"}))
    client.default.download_report()
    accept = sent[0].headers["Accept"]
    assert "text/csv" in accept or "*/*" in accept


def check_binary_returned_raw(pkg: Any) -> None:
    blob = bytes(range(256)) * 4
    client, _ = wire(pkg, lambda r: httpx.Response(200, content=blob, headers={"Content-Type": "application/octet-stream"}))
    response = client.default.download_blob()
    assert isinstance(response, httpx.Response) and response.content == blob


def check_plus_json_parsed(pkg: Any) -> None:
    client, _ = wire(pkg, lambda r: httpx.Response(200, json={"id": "p"}, headers={"Content-Type": "application/problem+json"}))
    thing = client.default.get_problem()
    assert isinstance(thing, pkg.models.Thing) and thing.id == "p"


def check_json_preferred_when_offered(pkg: Any) -> None:
    client, _ = wire(pkg, lambda r: httpx.Response(200, json={"id": "e"}))
    assert isinstance(client.default.get_either(), pkg.models.Thing)


def check_bare_json_array(pkg: Any) -> None:
    client, _ = wire(pkg, lambda r: httpx.Response(200, json=[1, 2, 3]))
    assert client.default.get_numbers() == [1, 2, 3]
    client, _ = wire(pkg, lambda r: httpx.Response(200, json=["x", 2]))
    with pytest.raises(pkg.APIResponseValidationError):
        client.default.get_numbers(strict_response_validation=True)
    assert client.default.get_numbers() == ["x", 2]
