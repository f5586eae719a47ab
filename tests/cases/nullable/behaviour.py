"""OpenAPI 3.0 ``nullable``: null is sent only for nullable properties, and parsed only there."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cases.support import ok, wire

PROFILE = {"id": "p1", "nickname": "ada"}


def check_null_sent_for_nullable_properties(pkg: Any) -> None:
    client, sent = wire(pkg, ok(PROFILE))
    client.default.update_profile(id="p1", nickname=None, address=None, tags=None, age=None)
    assert json.loads(sent[0].content) == {"nickname": None, "address": None, "tags": None, "age": None}


def check_null_never_sent_for_other_properties(pkg: Any) -> None:
    client, sent = wire(pkg, ok(PROFILE))
    client.default.update_profile(id="p1", bio="hello")
    assert json.loads(sent[0].content) == {"bio": "hello"}
    client.default.update_profile(id="p1")
    assert json.loads(sent[1].content) == {}
    # None for a property that is not nullable means "not given": it is left out.
    client.default.update_profile(id="p1", bio=None, nickname="x")
    assert json.loads(sent[2].content) == {"nickname": "x"}


def check_nullable_ref_accepts_object_or_null(pkg: Any) -> None:
    client, sent = wire(pkg, ok(PROFILE))
    client.default.update_profile(id="p1", address={"city": "Oslo"})
    assert json.loads(sent[0].content) == {"address": {"city": "Oslo"}}
    client.default.update_profile(id="p1", address=pkg.models.Address(city="Rome"))
    assert json.loads(sent[1].content) == {"address": {"city": "Rome"}}


def check_nulls_parsed_in_responses(pkg: Any) -> None:
    body = {"id": "p1", "nickname": None, "address": None, "manager": None, "tags": None}
    client, _ = wire(pkg, ok(body))
    profile = client.default.update_profile(id="p1")
    assert profile.nickname is None and profile.address is None
    assert profile.manager is None and profile.tags is None
    client, _ = wire(pkg, ok({**body, "address": {"city": "Oslo"}, "manager": {"name": "Bo"}}))
    profile = client.default.update_profile(id="p1")
    assert isinstance(profile.address, pkg.models.Address)
    assert isinstance(profile.manager, pkg.models.Manager) and profile.manager.name == "Bo"


def check_required_nullable_must_be_present(pkg: Any) -> None:
    client, _ = wire(pkg, ok({"id": "p1"}))
    with pytest.raises(pkg.APIResponseValidationError):
        client.default.update_profile(id="p1", strict_response_validation=True)
    assert client.default.update_profile(id="p1").id == "p1"
