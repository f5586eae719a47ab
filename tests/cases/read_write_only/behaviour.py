"""readOnly properties are never sent (nor asked for); writeOnly ones are not required back."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from cases.support import ok, wire

USER = {"id": "u1", "name": "ada", "created_at": "2024-01-02T03:04:05Z"}


def check_read_only_properties_are_not_arguments(pkg: Any) -> None:
    client, _ = wire(pkg, ok(USER, 201))
    create = inspect.signature(client.default.create_user).parameters
    assert {"name", "password", "settings"} <= set(create)
    assert not {"id", "created_at", "audit"} & set(create)
    replace = inspect.signature(client.default.replace_user).parameters
    assert "nickname" not in replace
    assert list(replace).count("id") == 1  # the path parameter; the body's read-only id is gone


def check_write_only_is_required_in_requests(pkg: Any) -> None:
    client, sent = wire(pkg, ok(USER, 201))
    with pytest.raises(TypeError, match="password"):
        client.default.create_user(name="ada")
    assert sent == []


def check_read_only_never_sent_even_nested(pkg: Any) -> None:
    client, sent = wire(pkg, ok(USER, 201))
    client.default.create_user(name="ada", password="pw", settings={"theme": "dark", "version": 3})
    assert json.loads(sent[0].content) == {"name": "ada", "password": "pw", "settings": {"theme": "dark"}}
    settings = pkg.models.UserSettings(theme="light", version=7, recovery_code="r")
    client.default.create_user(name="ada", password="pw", settings=settings)
    assert json.loads(sent[1].content) == {
        "name": "ada",
        "password": "pw",
        "settings": {"theme": "light", "recovery_code": "r"},
    }


def check_write_only_not_required_in_responses(pkg: Any) -> None:
    client, _ = wire(pkg, ok(USER))
    user = client.default.get_user(id="u1")
    assert user.name == "ada" and user.password is None


def check_read_only_values_parsed_from_responses(pkg: Any) -> None:
    body = {**USER, "audit": {"by": "system"}, "settings": {"theme": "dark", "version": 3}}
    client, _ = wire(pkg, ok(body))
    user = client.default.get_user(id="u1")
    assert user.id == "u1" and user.created_at.year == 2024
    assert isinstance(user.audit, pkg.models.Audit) and user.audit.by == "system"
    assert user.settings.version == 3


def check_read_only_path_and_body_id_do_not_clash(pkg: Any) -> None:
    client, sent = wire(pkg, ok(USER))
    client.default.replace_user(id="u1", name="bea", password="pw")
    assert sent[0].url.path == "/users/u1"
    assert json.loads(sent[0].content) == {"name": "bea", "password": "pw"}
