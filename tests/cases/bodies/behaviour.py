"""Request bodies: JSON (objects, arrays, scalars, +json types), urlencoded forms, multipart."""

from __future__ import annotations

import email
import email.policy
import json
from typing import Any
from urllib.parse import parse_qsl

import pydantic
import pytest
from cases.support import wire


def check_json_object_body_with_wire_names(pkg: Any) -> None:
    client, sent = wire(pkg)
    client.default.create_note(text="t", display_name="D", pinned=False, meta={"x-source": "cli"})
    assert sent[0].headers["Content-Type"] == "application/json"
    assert json.loads(sent[0].content) == {"text": "t", "Display Name": "D", "pinned": False, "meta": {"x-source": "cli"}}
    client.default.create_note(text="t", meta=pkg.models.NoteMeta(x_source="api"))
    assert json.loads(sent[1].content) == {"text": "t", "meta": {"x-source": "api"}}


def check_invalid_json_body_rejected_before_sending(pkg: Any) -> None:
    client, sent = wire(pkg)
    with pytest.raises(pydantic.ValidationError, match="text"):
        client.default.create_note(text=5)
    with pytest.raises(TypeError, match="text"):
        client.default.create_note(pinned=True)
    assert sent == []


def check_json_array_body(pkg: Any) -> None:
    client, sent = wire(pkg)
    client.default.create_notes(body=[{"text": "a"}, pkg.models.Note(text="b", pinned=True, display_name="B")])
    assert json.loads(sent[0].content) == [{"text": "a"}, {"text": "b", "pinned": True, "Display Name": "B"}]
    with pytest.raises(pydantic.ValidationError):
        client.default.create_notes(body=[{"pinned": True}])
    assert len(sent) == 1


def check_json_scalar_body(pkg: Any) -> None:
    client, sent = wire(pkg)
    client.default.set_counter(body=5)
    assert sent[0].method == "PUT" and sent[0].content == b"5"
    with pytest.raises(pydantic.ValidationError):
        client.default.set_counter(body="five")


def check_vendor_json_media_type_sent(pkg: Any) -> None:
    client, sent = wire(pkg)
    client.default.vendor_json(v=1)
    assert json.loads(sent[0].content) == {"v": 1}
    assert sent[0].headers["Content-Type"] == "application/vnd.example+json"


def check_form_urlencoded_body(pkg: Any) -> None:
    client, sent = wire(pkg)
    client.default.login(username="ada", password="p w&x=1", remember=True, scopes=["read", "write"], attempt=2)
    request = sent[0]
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qsl(request.content.decode("ascii"), keep_blank_values=True) == [
        ("username", "ada"),
        ("password", "p w&x=1"),
        ("remember", "true"),
        ("scopes", "read"),
        ("scopes", "write"),
        ("attempt", "2"),
    ]
    client.default.login(username="ada", password="pw")
    assert parse_qsl(sent[1].content.decode("ascii")) == [("username", "ada"), ("password", "pw")]
    with pytest.raises(TypeError, match="password"):
        client.default.login(username="ada")


def check_multipart_body(pkg: Any) -> None:
    client, sent = wire(pkg)
    data = bytes(range(256))
    client.default.upload(file=data, description="all the bytes", public=False)
    request = sent[0]
    content_type = request.headers["Content-Type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    message = email.message_from_bytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.content, policy=email.policy.HTTP
    )
    parts = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
    assert set(parts) == {"file", "description", "public"}
    assert parts["file"].get_filename() is not None
    assert parts["file"].get_payload(decode=True) == data
    assert parts["description"].get_payload(decode=True) == b"all the bytes"
    assert parts["public"].get_payload(decode=True) == b"false"
