"""The per-call fast paths of the generated client give the same results as the plain ones.

A request body is serialised by a second serializer per model class (no Python call per model)
and checked against the ordinary one's rules; URLs without path parameters are parsed once;
the timeout extension is computed once per timeout. None of that may skip the validation of a
call, send a stale URL or timeout, or change a byte of the body.
"""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any, ClassVar

import httpx
import pydantic
import pytest
from confluent_partner_v2 import APIResponseValidationError, PartnerClient, models
from confluent_partner_v2._models import (
    _REQUEST_SERIALIZERS,
    REQUEST_CONTEXT,
    Model,
    _request_serializer,
    request_json,
)

BASE = "http://127.0.0.1:9"
SSO = {"kind": "AzureSSOConfig", "tenant_id": "t-1"}
ENT = {"external_id": "x-1", "name": "n", "plan_id": "p", "product_id": "q"}
USER = {"email": "a@b.example", "given_name": "A", "family_name": "B"}
OK = {"organization_id": "org-1", "sso_url": "https://sso.example/x"}


def ordinary(instance: pydantic.BaseModel) -> bytes:
    return instance.__pydantic_serializer__.to_json(
        instance, by_alias=True, exclude_unset=True, context=REQUEST_CONTEXT
    )


BODIES: dict[str, tuple[type[Model], dict[str, Any]]] = {
    "plain": (models.PartnerSignupRequest, {"organization": {"name": "Acme", "sso_config": SSO}, "entitlement": ENT, "user": USER}),
    "read-only given": (
        models.PartnerSignupRequest,
        {
            "organization": {
                "name": "Acme",
                "sso_config": SSO,
                "id": "org-9",
                "kind": "Organization",
                "sso_url": "https://s/x",
                "metadata": {"self": "https://x/y", "created_at": datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC)},
            },
            "entitlement": {"related": "https://api.example/e/1", "resource_name": "crn://e/1", "kind": "Entitlement", "id": "e-1"},
        },
    ),
    "explicit None": (
        models.PartnerSignupRequest,
        {"organization": {"name": "Acme", "sso_config": SSO, "id": None}, "entitlement": {**ENT, "resource_id": None}, "user": None},
    ),
    "extras": (
        models.PartnerSignupRequest,
        {"organization": {"name": "Acme", "sso_config": SSO}, "entitlement": ENT, "user": {**USER, "nick": "ada", "tags": [1, 2.5, {"k": "v"}]}},
    ),
    "None extras": (
        models.PartnerSignupRequest,
        {"organization": {"name": "Acme", "sso_config": SSO}, "entitlement": ENT, "user": {**USER, "nick": None, "deep": {"k": None}}},
    ),
    "text with null": (models.PartnerSignupRequest, {"organization": {"name": "nullify", "sso_config": SSO}, "entitlement": ENT}),
    "non-ASCII": (models.ActivatePartnerSignupRequest, {"user": {**USER, "given_name": "Zoë ☃"}, "organization_id": "o-1"}),
    "secret": (models.PartnerLinkRequest, {"token": "tok-1", "organization": {"sso_config": SSO}, "entitlement": ENT}),
}


@pytest.mark.parametrize("name", list(BODIES))
def test_request_json_equals_the_ordinary_serialisation(name: str) -> None:
    model, data = BODIES[name]
    for instance in (model.model_validate(data), model.model_validate_json(json.dumps(data, default=str))):
        assert request_json(instance) == ordinary(instance)
    assert _REQUEST_SERIALIZERS[model] is not None  # the fast serializer exists and was used


def test_request_json_keeps_the_request_rules() -> None:
    model, data = BODIES["read-only given"]
    sent = json.loads(request_json(model.model_validate(data)))
    assert sent == {"organization": {"name": "Acme", "sso_config": SSO}, "entitlement": {"id": "e-1", "related": "https://api.example/e/1"}}
    model, data = BODIES["None extras"]
    sent = json.loads(request_json(model.model_validate(data)))
    # None means "not given" only for the model's own (non-nullable) keys: undeclared ones are
    # sent as the caller gave them, null included.
    assert sent["user"]["nick"] is None and sent["user"]["deep"] == {"k": None}


class _OwnSerializer(Model):
    a: int | None = None

    @pydantic.model_serializer(mode="plain")
    def _plain(self) -> dict[str, Any]:
        return {"A": self.a}


class _UndeclaredReadOnly(Model):
    _read_only: ClassVar[frozenset[str]] = frozenset({"ghost"})

    a: int


@pytest.mark.parametrize(
    ("model", "data"),
    [(_OwnSerializer, {"a": 1}), (_UndeclaredReadOnly, {"a": 1, "ghost": "boo", "other": 2})],
    ids=["own serializer", "read-only extra"],
)
def test_models_the_fast_serializer_cannot_express_take_the_ordinary_path(model: type[Model], data: dict[str, Any]) -> None:
    assert _request_serializer(model) is None
    instance = model.model_validate(data)
    assert request_json(instance) == ordinary(instance)


class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(201, json=OK)


def client_for(recorder: Recorder, **kwargs: Any) -> PartnerClient:
    return PartnerClient(api_key="k", api_secret="s", base_url=BASE, http_client=httpx.Client(transport=httpx.MockTransport(recorder)), **kwargs)


def test_every_call_is_validated_after_the_first() -> None:
    recorder = Recorder()
    client = client_for(recorder)
    for _ in range(3):
        client.signups.activate_signup(user=USER, organization_id="o-1")
    with pytest.raises(pydantic.ValidationError):
        client.signups.activate_signup(user={**USER, "email": "not-an-email"}, organization_id="o-1")
    with pytest.raises(pydantic.ValidationError):
        client.signups.signup(organization={"name": "Acme", "sso_config": SSO}, entitlement=ENT, dry_run="maybe")  # type: ignore[arg-type]
    assert len(recorder.requests) == 3


def test_url_and_timeout_follow_changes_to_the_client() -> None:
    recorder = Recorder()
    client = client_for(recorder)
    client.signups.activate_signup(user=USER, organization_id="o-1")
    client.base_url = "http://127.0.0.1:10/api"
    client.timeout = 2.5
    client.signups.activate_signup(user=USER, organization_id="o-1")
    client.signups.activate_signup(user=USER, organization_id="o-1", timeout=None)
    first, moved, unlimited = recorder.requests
    assert str(first.url) == f"{BASE}/partner/v2/signup/activate"
    assert str(moved.url) == "http://127.0.0.1:10/api/partner/v2/signup/activate"
    assert moved.extensions["timeout"] == httpx.Timeout(2.5).as_dict()
    assert unlimited.extensions["timeout"] == httpx.Timeout(None).as_dict()
    assert moved.extensions["timeout"] is not first.extensions["timeout"]  # each request its own


def test_successes_are_logged_and_errors_still_raise_without_retries(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder()
    client = client_for(recorder, max_retries=0)
    client.signups.activate_signup(user=USER, organization_id="o-1")
    assert not [r for r in caplog.records if r.name == "confluent_partner_v2"]  # logger off: no record
    caplog.set_level(logging.DEBUG, logger="confluent_partner_v2")
    client.signups.activate_signup(user=USER, organization_id="o-1")
    (record,) = [r for r in caplog.records if r.name == "confluent_partner_v2"]
    assert "-> 201 (attempt 1/1" in record.getMessage()


def test_response_validation_errors_mask_secrets() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"sso_url": "https://s/x", "token": "tok-SECRET"})

    client = PartnerClient(api_key="k", api_secret="s", base_url=BASE, http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    with pytest.raises(APIResponseValidationError) as caught:
        client.signups.activate_signup(user=USER, organization_id="o-1", strict_response_validation=True)
    cause = caught.value.__cause__
    assert isinstance(cause, pydantic.ValidationError) and cause.error_count() == 1
    assert "tok-SECRET" not in str(cause) and "tok-SECRET" not in repr(cause.errors())
