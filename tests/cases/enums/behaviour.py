"""Enums: string, integer, boolean and nullable enums refuse unknown values both ways;
x-extensible-enum is a plain string."""

from __future__ import annotations

import json
import typing
from typing import Any

import httpx
import pydantic
import pytest
from cases.support import echo, wire


def check_known_values_are_sent(pkg: Any) -> None:
    client, sent = wire(pkg, echo(201))
    order = client.default.create_order(status="in-progress", priority=2, level="low", express=True)
    assert json.loads(sent[0].content) == {"status": "in-progress", "priority": 2, "level": "low", "express": True}
    assert (order.status, order.priority, order.level) == ("in-progress", 2, "low")


def check_unknown_values_rejected_before_sending(pkg: Any) -> None:
    client, sent = wire(pkg, echo(201))
    with pytest.raises(pydantic.ValidationError, match="status"):
        client.default.create_order(status="pending")
    with pytest.raises(pydantic.ValidationError, match="priority"):
        client.default.create_order(status="open", priority=4)
    with pytest.raises(pydantic.ValidationError, match="express"):
        client.default.create_order(status="open", express=False)
    with pytest.raises(pydantic.ValidationError, match="status"):
        client.default.list_orders(status="pending")
    with pytest.raises(pydantic.ValidationError, match="sort"):
        client.default.list_orders(sort="up")
    with pytest.raises(pydantic.ValidationError, match="priority"):
        client.default.list_orders(priority=0)
    assert sent == []


def check_enum_query_parameters_sent(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(200, json=[]))
    client.default.list_orders(status="closed", sort="desc", priority=3)
    assert sent[0].url.params.multi_items() == [("status", "closed"), ("sort", "desc"), ("priority", "3")]


def check_unknown_values_kept_in_responses_refused_when_strict(pkg: Any) -> None:
    client, _ = wire(pkg, lambda r: httpx.Response(200, json=[{"status": "archived"}]))
    with pytest.raises(pkg.APIResponseValidationError):
        client.default.list_orders(strict_response_validation=True)
    [order] = client.default.list_orders()  # a value added after this package was generated
    assert isinstance(order, pkg.models.Order) and order.status == "archived"
    client, _ = wire(pkg, lambda r: httpx.Response(200, json=[{"status": "open", "priority": 9}]))
    with pytest.raises(pkg.APIResponseValidationError):
        client.default.list_orders(strict_response_validation=True)
    [order] = client.default.list_orders()
    assert (order.status, order.priority) == ("open", 9)


def check_response_enums_typed_literal_or_str(pkg: Any) -> None:
    hints = typing.get_type_hints(pkg.models.Order, include_extras=True)
    annotation = hints["status"]
    assert str in typing.get_args(typing.get_args(annotation)[0])  # Annotated[Literal[...] | str, ...]
    # Building one by hand is as strict as a request: only the listed values.
    with pytest.raises(pydantic.ValidationError):
        pkg.models.Order(status="archived")


def check_extensible_enum_accepts_any_string(pkg: Any) -> None:
    client, sent = wire(pkg, echo(201))
    order = client.default.create_order(status="open", channel="carrier-pigeon")
    assert json.loads(sent[0].content) == {"status": "open", "channel": "carrier-pigeon"}
    assert order.channel == "carrier-pigeon"
    client, _ = wire(pkg, lambda r: httpx.Response(200, json=[{"status": "open", "channel": "fax"}]))
    assert client.default.list_orders()[0].channel == "fax"


def check_nullable_enum(pkg: Any) -> None:
    client, sent = wire(pkg, echo(201))
    order = client.default.create_order(status="open", level=None)
    assert json.loads(sent[0].content) == {"status": "open", "level": None}
    assert order.level is None
    with pytest.raises(pydantic.ValidationError, match="level"):
        client.default.create_order(status="open", level="medium")


def check_named_enums_are_exported_types(pkg: Any) -> None:
    assert typing.get_args(pkg.models.Status) == ("open", "closed", "in-progress")
    assert typing.get_args(pkg.models.Priority) == (1, 2, 3)
