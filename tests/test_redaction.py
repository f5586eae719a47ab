"""Secrets never leak: x-redact fields, the API secret and the bearer token stay out of
repr(), str(), log records and exception messages, while the wire carries the real values."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import httpx
import pydantic
import pytest
from confluent_partner_v2 import ConflictError, PartnerClient, models

TOKEN = "link-token-SECRET-123"
API_SECRET = "api-secret-SECRET-456"
BEARER = "bearer-SECRET-789"
SECRETS = (TOKEN, API_SECRET, BEARER)
ORG = {"sso_config": {"kind": "AzureSSOConfig", "tenant_id": "t-1"}}
ENT = {"related": "https://api.confluent.cloud/partner/v2/entitlements/e-1"}


def answer(status: int) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if status == 201:
            return httpx.Response(201, json={"organization_id": "o", "sso_url": "https://s/x"}, headers={"X-Request-Id": "r-1"})
        return httpx.Response(status, json={"errors": [{"title": "Conflict", "detail": "already linked"}]}, headers={"X-Request-Id": "r-2"})

    return httpx.MockTransport(handler)


def test_model_repr_and_str_mask_the_token() -> None:
    request = models.PartnerLinkRequest(token=TOKEN, organization=ORG, entitlement=ENT)
    for text in (repr(request), str(request)):
        assert TOKEN not in text and "token='**********'" in text
    assert request.token == TOKEN
    assert request.model_dump()["token"] == TOKEN


def test_the_wire_carries_the_real_token() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(201, json={"organization_id": "o", "sso_url": "https://s/x"})

    client = PartnerClient(api_key="k", api_secret=API_SECRET, base_url="http://127.0.0.1:9", http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    client.signups.signup_partner_v2_link(token=TOKEN, organization=ORG, entitlement=ENT)
    assert json.loads(sent[0].content)["token"] == TOKEN


@pytest.mark.parametrize(
    "bad",
    [
        {"organization": {"name": "x" * 40, **ORG}},  # a field next to the token fails
        {"entitlement": {}},  # the whole body is echoed for a missing field
        {"token": 12345},  # the token itself is invalid
    ],
)
def test_validation_errors_never_echo_the_token(bad: dict[str, object]) -> None:
    client = PartnerClient(api_key="k", api_secret=API_SECRET, base_url="http://127.0.0.1:9", http_client=httpx.Client(transport=answer(201)))
    args: dict[str, object] = {"token": TOKEN, "organization": ORG, "entitlement": ENT, **bad}
    with pytest.raises(pydantic.ValidationError) as caught:
        client.signups.signup_partner_v2_link(**args)  # type: ignore[arg-type]
    text = str(caught.value) + repr(caught.value) + json.dumps(caught.value.errors(include_url=False), default=str)
    assert TOKEN not in text and "12345" not in text


def test_direct_model_construction_never_echoes_the_token() -> None:
    for attempt in (
        lambda: models.PartnerLinkRequest(token=TOKEN),  # missing fields: pydantic echoes the whole input
        lambda: models.PartnerLinkRequest.model_validate({"token": TOKEN}),
        lambda: models.PartnerLinkRequest.model_validate_json(json.dumps({"token": TOKEN})),
    ):
        with pytest.raises(pydantic.ValidationError) as caught:
            attempt()
        assert TOKEN not in str(caught.value) and "**********" in str(caught.value)


def test_credentials_stay_out_of_repr_logs_and_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="confluent_partner_v2")
    basic = PartnerClient(api_key="key-id", api_secret=API_SECRET, base_url="http://127.0.0.1:9", http_client=httpx.Client(transport=answer(409)))
    bearer = PartnerClient(bearer_token=BEARER, base_url="http://127.0.0.1:9", http_client=httpx.Client(transport=answer(409)))
    texts = [repr(basic), repr(bearer), repr(basic._auth), repr(bearer._auth)]
    for client in (basic, bearer):
        with pytest.raises(ConflictError) as caught:
            client.signups.signup_partner_v2_link(token=TOKEN, organization=ORG, entitlement=ENT)
        texts += [str(caught.value), repr(caught.value), repr(caught.value.request)]
    texts += [record.getMessage() for record in caplog.records]
    assert any("-> 409" in record.getMessage() for record in caplog.records)
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, text


def test_log_records_name_method_url_status_attempt_and_request_id(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="confluent_partner_v2")
    client = PartnerClient(api_key="k", api_secret="s", base_url="http://127.0.0.1:9", http_client=httpx.Client(transport=answer(201)))
    client.signups.signup_partner_v2_link(token=TOKEN, organization=ORG, entitlement=ENT, dry_run=True)
    (record,) = [r for r in caplog.records if r.name == "confluent_partner_v2"]
    message = record.getMessage()
    assert record.levelno == logging.DEBUG
    for part in ("POST", "http://127.0.0.1:9/partner/v2/signup/link?dry_run=true", "-> 201", "attempt 1/3", " s, ", "request id r-1"):
        assert part in message


def test_env_var_switches_debug_logging_on() -> None:
    script = (
        "import httpx, confluent_partner_v2 as c\n"
        "t = httpx.MockTransport(lambda r: httpx.Response(201, json={'organization_id': 'o', 'sso_url': 'https://s/x'}))\n"
        "c.PartnerClient(api_key='k', api_secret='s', base_url='http://127.0.0.1:9', http_client=httpx.Client(transport=t))"
        ".signups.activate_signup(user={'email': 'a@b.example', 'given_name': 'g', 'family_name': 'f'}, organization_id='o')\n"
    )
    on = subprocess.run([sys.executable, "-c", script], env={"CONFLUENT_PARTNER_LOG": "debug", "PATH": ""}, capture_output=True, text=True, check=True)
    assert "confluent_partner_v2 DEBUG POST http://127.0.0.1:9/partner/v2/signup/activate -> 201" in on.stderr
    off = subprocess.run([sys.executable, "-c", script], env={"PATH": ""}, capture_output=True, text=True, check=True)
    assert off.stderr == ""
