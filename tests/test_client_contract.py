"""The partner client's contract with a server that moves on, on the wire (MockTransport) and Prism.

- A 2XX body is read leniently: a signup whose 201 lacks ``sso_url`` (or carries a value of
  another type, or new fields) returns what arrived and logs a warning with the request id;
  ``strict_response_validation=True`` (client, ``with_options`` or per call) raises instead.
- Everything the caller passes is sent: undeclared nested properties (``null`` included) and
  top-level ones through ``extra_body``.
- ``_request_id`` on every returned model; ``default_headers`` on every request.

Every test runs with the blocking and the asyncio client.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from confluent_partner_v2 import (
    APIResponseValidationError,
    AsyncPartnerClient,
    PartnerClient,
    models,
)

BASE_URL = "http://127.0.0.1:9"
CREDENTIALS = {"api_key": "KEY-1", "api_secret": "SECRET-0b7c"}
USER = {"email": "ops@acme.example", "given_name": "Ada", "family_name": "Lovelace"}
SIGNUP = {
    "organization": {"name": "Acme", "sso_config": {"kind": "AzureSSOConfig", "tenant_id": "t-1"}},
    "entitlement": {"related": "https://api.confluent.cloud/partner/v2/entitlements/e-1"},
}
COMPLETE = {"organization_id": "org-1", "sso_url": "https://confluent.cloud/login/sso/acme"}


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


class Wire:
    """A client of either kind whose transport answers ``body`` and records what was sent."""

    def __init__(self, mode: str, body: Any = COMPLETE, status: int = 201, **client_kwargs: Any) -> None:
        self.mode, self.sent = mode, []  # type: list[httpx.Request]
        self.body, self.status = body, status
        transport = httpx.MockTransport(self.answer)
        kwargs = {**CREDENTIALS, "base_url": BASE_URL, "max_retries": 0, **client_kwargs}
        if mode == "sync":
            self.client: Any = PartnerClient(**kwargs, http_client=httpx.Client(transport=transport))
        else:
            self.client = AsyncPartnerClient(**kwargs, http_client=httpx.AsyncClient(transport=transport))

    def answer(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.sent.append(request)
        headers = {"X-Request-Id": "req-42"}
        if isinstance(self.body, bytes):
            return httpx.Response(self.status, content=self.body, headers=headers)
        return httpx.Response(self.status, json=self.body, headers=headers)

    async def call(self, method: str, client: Any = None, **kwargs: Any) -> Any:
        result = getattr((client or self.client).signups, method)(**kwargs)
        return await result if self.mode == "async" else result

    @property
    def body_sent(self) -> Any:
        return json.loads(self.sent[-1].content)


# --------------------------------------------------------------------------- lenient responses


@pytest.mark.asyncio
async def test_signup_201_without_sso_url_returns_and_warns(mode: str, caplog: pytest.LogCaptureFixture) -> None:
    wire = Wire(mode, body={"organization_id": "org-1"})
    with caplog.at_level(logging.WARNING, logger="confluent_partner_v2"):
        result = await wire.call("signup", **SIGNUP)
    assert isinstance(result, models.PartnerSignupResponse)
    assert (result.organization_id, result.sso_url) == ("org-1", None)
    assert result._request_id == "req-42"
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "sso_url: missing" in message and "request id req-42" in message
    assert "/partner/v2/signup -> 201" in message


@pytest.mark.asyncio
async def test_wrong_types_and_new_fields_are_kept(mode: str) -> None:
    body = {"organization_id": 7, "sso_url": "not a url", "display_message": "hi", "region": {"cloud": "azure"}}
    wire = Wire(mode, body=body)
    result = await wire.call("activate_signup", user=USER, organization_id="org-1")
    assert (result.organization_id, result.sso_url, result.display_message) == (7, "not a url", "hi")
    assert result.model_extra == {"region": {"cloud": "azure"}}


@pytest.mark.asyncio
async def test_non_json_success_body_still_returns(mode: str) -> None:
    wire = Wire(mode, body=b"created")
    result = await wire.call("activate_signup", user=USER, organization_id="org-1")
    assert isinstance(result, models.PartnerSignupResponse) and result.organization_id is None
    assert result._request_id == "req-42"


@pytest.mark.asyncio
@pytest.mark.parametrize("where", ["client", "with_options", "per_call"])
async def test_strict_response_validation_raises(mode: str, where: str) -> None:
    wire = Wire(mode, body={"organization_id": "org-1"}, strict_response_validation=where == "client")
    client = wire.client.with_options(strict_response_validation=True) if where == "with_options" else None
    extra = {"strict_response_validation": True} if where == "per_call" else {}
    with pytest.raises(APIResponseValidationError, match="201 response does not match") as caught:
        await wire.call("signup", client=client, **SIGNUP, **extra)
    assert caught.value.response.headers["x-request-id"] == "req-42"
    # and a documented body passes the strict check
    wire.body = COMPLETE
    result = await wire.call("signup", client=client, **SIGNUP, **extra)
    assert result.sso_url == COMPLETE["sso_url"]


@pytest.mark.asyncio
async def test_strict_per_call_overrides_the_client(mode: str) -> None:
    wire = Wire(mode, body={"organization_id": "org-1"}, strict_response_validation=True)
    result = await wire.call("signup", **SIGNUP, strict_response_validation=False)
    assert result.organization_id == "org-1"


@pytest.mark.asyncio
async def test_request_id_on_raw_parse_too(mode: str) -> None:
    wire = Wire(mode)
    raw = wire.client.signups.with_raw_response.signup(**SIGNUP)
    raw = await raw if mode == "async" else raw
    assert raw.parse()._request_id == "req-42" == raw.request_id


def test_request_id_is_not_data() -> None:
    """Beside the fields: not dumped, not compared, absent (None) on models built by hand."""
    wire = Wire("sync")
    result = wire.client.signups.signup(**SIGNUP)
    assert result == models.PartnerSignupResponse(**COMPLETE)
    assert "req-42" not in result.model_dump_json() and "req-42" not in repr(result)
    assert models.PartnerSignupResponse(**COMPLETE)._request_id is None


# --------------------------------------------------------------------------- strict requests


@pytest.mark.asyncio
async def test_requests_stay_strict(mode: str) -> None:
    wire = Wire(mode)
    bad = {**SIGNUP, "organization": {"name": "Acme", "sso_config": {"kind": "OktaSSOConfig", "tenant_id": "t"}}}
    with pytest.raises(Exception) as caught:
        await wire.call("signup", **bad)
    assert type(caught.value).__name__ == "ValidationError" and wire.sent == []


# --------------------------------------------------------------------------- sending exactly


@pytest.mark.asyncio
async def test_undeclared_nested_properties_are_sent_as_given(mode: str) -> None:
    wire = Wire(mode)
    user = {**USER, "nickname": "ada", "pager": None, "tags": [1, None, {"a": None}]}
    organization = {**SIGNUP["organization"], "sso_config": {**SIGNUP["organization"]["sso_config"], "domain_hint": None}}
    await wire.call("signup", organization=organization, entitlement=SIGNUP["entitlement"], user=user)
    assert wire.body_sent == {"organization": organization, "entitlement": SIGNUP["entitlement"], "user": user}


@pytest.mark.asyncio
async def test_undeclared_properties_in_models_are_sent(mode: str) -> None:
    wire = Wire(mode)
    user = models.User(**USER, nickname="ada", pager=None)
    await wire.call("activate_signup", user=user, organization_id="org-1")
    assert wire.body_sent["user"] == {**USER, "nickname": "ada", "pager": None}


@pytest.mark.asyncio
async def test_extra_body_is_merged_into_the_json_body(mode: str) -> None:
    wire = Wire(mode)
    await wire.call("activate_signup", user=USER, organization_id="org-1", extra_body={"locale": "de", "trial": None})
    assert wire.body_sent == {"user": USER, "organization_id": "org-1", "locale": "de", "trial": None}
    await wire.call("activate_signup", user=USER, organization_id="org-1", extra_body={"organization_id": "org-2"})
    assert wire.body_sent["organization_id"] == "org-2"  # the caller's word is final


@pytest.mark.asyncio
async def test_default_headers(mode: str) -> None:
    wire = Wire(mode, default_headers={"X-Partner": "acme", "X-Trace": "default"})
    await wire.call("activate_signup", user=USER, organization_id="org-1", extra_headers={"X-Trace": "call"})
    headers = wire.sent[-1].headers
    assert (headers["X-Partner"], headers["X-Trace"]) == ("acme", "call")
    copy = wire.client.with_options(default_headers={"X-Partner": "other"})
    await wire.call("activate_signup", client=copy, user=USER, organization_id="org-1")
    assert wire.sent[-1].headers["X-Partner"] == "other"


# --------------------------------------------------------------------------- against Prism


@pytest.mark.asyncio
async def test_extra_body_and_default_headers_reach_prism(mode: str, prism_url: str) -> None:
    kwargs: dict[str, Any] = {**CREDENTIALS, "base_url": prism_url, "max_retries": 0, "default_headers": {"X-Partner": "acme"}}
    client: Any = PartnerClient(**kwargs) if mode == "sync" else AsyncPartnerClient(**kwargs)
    call = client.signups.with_raw_response.activate_signup(
        user={**USER, "nickname": None}, organization_id="org-1", extra_body={"locale": "de"}
    )
    raw = await call if mode == "async" else call
    assert raw.status_code == 201 and "sl-violations" not in raw.headers  # Prism accepts the extras
    sent = raw.http_response.request
    assert json.loads(sent.content)["locale"] == "de" and sent.headers["X-Partner"] == "acme"
    result = raw.parse()
    assert result._request_id == raw.request_id
    await client.close() if mode == "async" else client.close()


@pytest.mark.asyncio
async def test_prism_example_parses_strictly(mode: str, prism_url: str) -> None:
    kwargs: dict[str, Any] = {**CREDENTIALS, "base_url": prism_url, "strict_response_validation": True}
    client: Any = PartnerClient(**kwargs) if mode == "sync" else AsyncPartnerClient(**kwargs)
    call = client.signups.signup(**SIGNUP, dry_run=True)
    result = await call if mode == "async" else call
    assert result.sso_url == "https://confluent.cloud/login/sso/example-connection"
    await client.close() if mode == "async" else client.close()
