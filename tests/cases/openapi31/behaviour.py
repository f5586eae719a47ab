"""OpenAPI 3.1: type arrays with "null", the null type, const, examples, $ref siblings."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pydantic
import pytest
from cases.support import echo, wire

BASE = {"kind": "widget", "name": "gizmo", "note": None}


def check_const_accepts_only_its_value(pkg: Any) -> None:
    widget = pkg.models.Widget.model_validate(BASE)
    assert widget.kind == "widget"
    with pytest.raises(pydantic.ValidationError, match="kind"):
        pkg.models.Widget.model_validate({**BASE, "kind": "gadget"})
    client, sent = wire(pkg, echo(201))
    with pytest.raises(pydantic.ValidationError, match="kind"):
        client.default.create_widget(kind="gadget", name="gizmo", note=None)
    assert sent == []


def check_type_array_with_null_is_required_but_nullable(pkg: Any) -> None:
    with pytest.raises(pydantic.ValidationError, match="note"):
        pkg.models.Widget.model_validate({"kind": "widget", "name": "gizmo"})
    client, sent = wire(pkg, echo(201))
    widget = client.default.create_widget(kind="widget", name="gizmo", note=None)
    assert json.loads(sent[0].content) == {"kind": "widget", "name": "gizmo", "note": None}
    assert widget.note is None
    client.default.create_widget(kind="widget", name="gizmo", note="hi", size=None)
    assert json.loads(sent[1].content) == {"kind": "widget", "name": "gizmo", "note": "hi", "size": None}


def check_null_type_accepts_only_null(pkg: Any) -> None:
    assert pkg.models.Widget.model_validate({**BASE, "nothing": None}).nothing is None
    with pytest.raises(pydantic.ValidationError, match="nothing"):
        pkg.models.Widget.model_validate({**BASE, "nothing": "something"})


def check_type_array_of_several_types(pkg: Any) -> None:
    assert pkg.models.Widget.model_validate({**BASE, "code": 5}).code == 5
    assert pkg.models.Widget.model_validate({**BASE, "code": "5"}).code == "5"
    with pytest.raises(pydantic.ValidationError, match="code"):
        pkg.models.Widget.model_validate({**BASE, "code": [5]})


def check_numeric_exclusive_minimum(pkg: Any) -> None:
    assert pkg.models.Widget.model_validate({**BASE, "size": 1}).size == 1
    with pytest.raises(pydantic.ValidationError, match="size"):
        pkg.models.Widget.model_validate({**BASE, "size": 0})


def check_nullable_object_and_null_variant(pkg: Any) -> None:
    client, _ = wire(pkg, lambda r: httpx.Response(201, json={**BASE, "parent": {"id": "p1"}, "label": None}))
    widget = client.default.create_widget(kind="widget", name="gizmo", note=None)
    assert isinstance(widget.parent, pkg.models.WidgetParent) and widget.parent.id == "p1"
    assert widget.label is None
    client, _ = wire(pkg, lambda r: httpx.Response(201, json={**BASE, "parent": None, "label": "x"}))
    widget = client.default.create_widget(kind="widget", name="gizmo", note=None)
    assert widget.parent is None and widget.label == "x"


def check_ref_with_sibling_keywords(pkg: Any) -> None:
    widget = pkg.models.Widget.model_validate({**BASE, "owner": {"name": "Ada"}})
    assert isinstance(widget.owner, pkg.models.Owner) and widget.owner.name == "Ada"


def check_nullable_query_parameter(pkg: Any) -> None:
    client, sent = wire(pkg, echo(201))
    client.default.create_widget(kind="widget", name="gizmo", note=None, dry_run=True)
    client.default.create_widget(kind="widget", name="gizmo", note=None)
    assert sent[0].url.query == b"dry_run=true"
    assert sent[1].url.query == b""
