"""The generated client on the wire: every operation through ``httpx.MockTransport``.

Each test runs against the blocking client (``PartnerClient`` + ``httpx.Client``) and the
asyncio client (``AsyncPartnerClient`` + ``httpx.AsyncClient``), via the ``mode`` fixture.
The transport records every request it is handed, so a test can tell exactly what was sent,
and that nothing was sent when the arguments are invalid. No real socket is ever opened: the
base URL is a loopback address on the discard port and every client gets a mock transport.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from typing import Any

import confluent_partner_v2
import httpx
import pydantic
import pytest
from confluent_partner_v2 import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AsyncPartnerClient,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PartnerClient,
    PermissionDeniedError,
    RateLimitError,
    models,
)

BASE_URL = "http://127.0.0.1:9"
API_KEY = "KEY-4f1c2a"
API_SECRET = "SECRET-9d8e7f6a5b4c"
BEARER = "TOKEN-eyJhbGciOiJIUzI1NiJ9.payload.sig"
ENV_VARS = (
    "CONFLUENT_CLOUD_API_KEY",
    "CONFLUENT_CLOUD_API_SECRET",
    "CONFLUENT_CLOUD_BEARER_TOKEN",
    "CONFLUENT_CLOUD_CLIENT_ID",
    "CONFLUENT_CLOUD_CLIENT_SECRET",
)

PATHS = {
    "signup": "/partner/v2/signup",
    "activate_signup": "/partner/v2/signup/activate",
    "signup_partner_v2_link": "/partner/v2/signup/link",
}
DRY_RUN_METHODS = ["signup", "signup_partner_v2_link"]

SSO: dict[str, str] = {
    "kind": "AzureSSOConfig",
    "tenant_id": "b3a1c2d4-0000-4000-8000-0123456789ab",
}
ORG: dict[str, Any] = {"name": "Acme Corp", "sso_config": SSO}
ENT_DETAILS = {
    "external_id": "1111-2222",
    "name": "Acme Prod",
    "plan_id": "confluent-cloud-payg-prod",
    "product_id": "confluent-cloud-kafka-service-azure",
}
ENT_URL = "https://api.confluent.cloud/partner/v2/entitlements/ent-123"
ENT_REF = {"related": ENT_URL}
USER = {"email": "ops@acme.example", "given_name": "Ada", "family_name": "Lovelace"}
ORG_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
LINK_TOKEN = "LINKING-TOKEN-0f9e8d7c6b5a"

OK_BODY = {
    "organization_id": ORG_ID,
    "sso_url": "https://confluent.cloud/login/sso/acme",
    "display_message": "Your organization is ready.",
}


def minimal_args(method: str) -> dict[str, Any]:
    """The required arguments of ``method``, as plain dicts (fresh copies)."""
    table: dict[str, dict[str, Any]] = {
        "signup": {"organization": ORG, "entitlement": ENT_DETAILS},
        "activate_signup": {"user": USER, "organization_id": ORG_ID},
        "signup_partner_v2_link": {
            "token": LINK_TOKEN,
            "organization": {"sso_config": SSO},
            "entitlement": ENT_REF,
        },
    }
    return copy.deepcopy(table[method])


def ok_response(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201, json=OK_BODY)


Responder = Callable[[httpx.Request], httpx.Response]


class Wire:
    """A client of either flavour whose transport records requests and answers with ``responder``."""

    def __init__(self, mode: str, responder: Responder = ok_response, **client_kwargs: Any) -> None:
        self.mode = mode
        self.responder = responder
        self.requests: list[httpx.Request] = []
        if not client_kwargs:
            client_kwargs = {"api_key": API_KEY, "api_secret": API_SECRET}
        client_kwargs.setdefault("base_url", BASE_URL)
        self.client_kwargs = client_kwargs

    def _handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.responder(request)

    async def call(self, method: str, /, *args: Any, **kwargs: Any) -> Any:
        transport = httpx.MockTransport(self._handle)
        if self.mode == "sync":
            with httpx.Client(transport=transport) as http:
                client = PartnerClient(http_client=http, **self.client_kwargs)
                return getattr(client.signups, method)(*args, **kwargs)
        async with httpx.AsyncClient(transport=transport) as ahttp:
            aclient = AsyncPartnerClient(http_client=ahttp, **self.client_kwargs)
            return await getattr(aclient.signups, method)(*args, **kwargs)

    @property
    def only(self) -> httpx.Request:
        assert len(self.requests) == 1, f"expected one request, got {len(self.requests)}"
        return self.requests[0]

    def body(self) -> Any:
        request = self.only
        assert request.headers["content-type"] == "application/json"
        return json.loads(request.content)


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


def contains_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return any(contains_null(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_null(v) for v in value)
    return False


# --------------------------------------------------------------------------- method, URL, query


@pytest.mark.asyncio
@pytest.mark.parametrize("method", list(PATHS))
async def test_post_to_exact_path_on_base_url(mode: str, method: str) -> None:
    wire = Wire(mode)
    await wire.call(method, **minimal_args(method))
    request = wire.only
    assert request.method == "POST"
    assert str(request.url) == BASE_URL + PATHS[method]
    assert request.url.scheme == "http"
    assert request.url.host == "127.0.0.1"
    assert request.url.port == 9
    assert request.url.path == PATHS[method]
    assert request.url.query == b""


@pytest.mark.asyncio
@pytest.mark.parametrize("method", list(PATHS))
async def test_base_url_with_prefix_and_trailing_slash(mode: str, method: str) -> None:
    wire = Wire(mode, api_key=API_KEY, api_secret=API_SECRET, base_url="http://127.0.0.1:9/gw/")
    await wire.call(method, **minimal_args(method))
    assert str(wire.only.url) == "http://127.0.0.1:9/gw" + PATHS[method]


@pytest.mark.asyncio
@pytest.mark.parametrize("method", DRY_RUN_METHODS)
async def test_dry_run_absent_when_not_given(mode: str, method: str) -> None:
    wire = Wire(mode)
    await wire.call(method, **minimal_args(method))
    assert "dry_run" not in wire.only.url.params


@pytest.mark.asyncio
@pytest.mark.parametrize("method", DRY_RUN_METHODS)
@pytest.mark.parametrize(("value", "wire_value"), [(True, "true"), (False, "false")])
async def test_dry_run_sent_exactly_when_given(
    mode: str, method: str, value: bool, wire_value: str
) -> None:
    wire = Wire(mode)
    await wire.call(method, dry_run=value, **minimal_args(method))
    request = wire.only
    assert request.url.params.get_list("dry_run") == [wire_value]
    assert request.url.query == f"dry_run={wire_value}".encode()
    assert request.url.path == PATHS[method]


@pytest.mark.asyncio
@pytest.mark.parametrize("method", DRY_RUN_METHODS)
@pytest.mark.parametrize("value", ["maybe", None], ids=["str-maybe", "None"])
async def test_dry_run_of_wrong_type_is_refused_before_sending(
    mode: str, method: str, value: Any
) -> None:
    # dry_run is `type: boolean`: anything that is not a bool must raise a ValidationError
    # naming dry_run, before anything is sent (README: "Invalid arguments raise
    # pydantic.ValidationError, naming the field, before anything is sent").
    wire = Wire(mode)
    with pytest.raises(pydantic.ValidationError, match="dry_run"):
        await wire.call(method, dry_run=value, **minimal_args(method))
    assert wire.requests == []


@pytest.mark.asyncio
@pytest.mark.parametrize("method", DRY_RUN_METHODS)
async def test_dry_run_non_bool_string_is_never_sent_raw(mode: str, method: str) -> None:
    # Lax validation may read "yes" as True; either way only "true"/"false" reach the wire.
    wire = Wire(mode)
    try:
        await wire.call(method, dry_run="yes", **minimal_args(method))
    except pydantic.ValidationError as exc:
        assert "dry_run" in str(exc)
        assert wire.requests == []
    else:
        assert wire.only.url.params.get_list("dry_run") == ["true"]


# --------------------------------------------------------------------------- request bodies


@pytest.mark.asyncio
async def test_signup_body_with_details_and_user(mode: str) -> None:
    wire = Wire(mode)
    await wire.call("signup", organization=ORG, entitlement=ENT_DETAILS, user=USER)
    assert wire.body() == {"organization": ORG, "entitlement": ENT_DETAILS, "user": USER}


@pytest.mark.asyncio
async def test_signup_without_user_sends_no_user_key(mode: str) -> None:
    wire = Wire(mode)
    await wire.call("signup", organization=ORG, entitlement=ENT_DETAILS)
    body = wire.body()
    assert body == {"organization": ORG, "entitlement": ENT_DETAILS}
    assert "user" not in body
    assert not contains_null(body)


@pytest.mark.asyncio
async def test_explicit_none_for_optional_fields_is_not_sent_as_null(mode: str) -> None:
    # No property in the spec is nullable: None means "not given", never JSON null.
    wire = Wire(mode)
    await wire.call(
        "signup",
        organization={**ORG, "id": None},
        entitlement={**ENT_DETAILS, "usage_reporting_id": None, "resource_id": None},
        user=None,
    )
    await wire.call(
        "signup_partner_v2_link",
        token=LINK_TOKEN,
        organization=models.LinkOrganization(
            name=None, sso_config=models.AzureSSOConfig.model_validate(SSO)
        ),
        entitlement={"related": ENT_URL, "id": None, "environment": None},
    )
    signup_body, link_body = (json.loads(r.content) for r in wire.requests)
    assert signup_body == {"organization": ORG, "entitlement": ENT_DETAILS}
    assert link_body == {
        "token": LINK_TOKEN,
        "organization": {"sso_config": SSO},
        "entitlement": {"related": ENT_URL},
    }


@pytest.mark.asyncio
async def test_signup_body_from_models_equals_body_from_dicts(mode: str) -> None:
    wire = Wire(mode)
    await wire.call(
        "signup",
        organization=models.SignupOrganization(
            name="Acme Corp",
            sso_config=models.AzureSSOConfig(kind="AzureSSOConfig", tenant_id=SSO["tenant_id"]),
        ),
        entitlement=models.EntitlementDetails.model_validate(ENT_DETAILS),
        user=models.User.model_validate(USER),
    )
    assert wire.body() == {"organization": ORG, "entitlement": ENT_DETAILS, "user": USER}


@pytest.mark.asyncio
async def test_sso_config_discriminated_union_as_dict_and_model(mode: str) -> None:
    wire = Wire(mode)
    await wire.call(
        "signup",
        organization={"name": "Acme", "sso_config": models.AzureSSOConfig.model_validate(SSO)},
        entitlement=ENT_REF,
    )
    await wire.call(
        "signup",
        organization={"name": "Acme", "sso_config": dict(SSO)},
        entitlement=ENT_REF,
    )
    assert len(wire.requests) == 2
    for request in wire.requests:
        sent = json.loads(request.content)
        assert sent["organization"] == {"name": "Acme", "sso_config": SSO}
        assert sent["organization"]["sso_config"]["kind"] == "AzureSSOConfig"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "entitlement",
    [
        pytest.param(ENT_DETAILS, id="details-dict"),
        pytest.param(models.EntitlementDetails.model_validate(ENT_DETAILS), id="details-model"),
    ],
)
async def test_entitlement_details_sent_as_given(mode: str, entitlement: Any) -> None:
    wire = Wire(mode)
    await wire.call("signup", organization=ORG, entitlement=entitlement)
    body = wire.body()
    assert body["entitlement"] == ENT_DETAILS
    # Optional entitlement properties that were not passed are absent (never null).
    for absent in ("usage_reporting_id", "resource_id", "organization", "id", "metadata"):
        assert absent not in body["entitlement"]


@pytest.mark.asyncio
@pytest.mark.parametrize("method", DRY_RUN_METHODS)
@pytest.mark.parametrize(
    "entitlement",
    [
        pytest.param(ENT_REF, id="reference-dict"),
        pytest.param(models.EntitlementReference(related=ENT_URL), id="reference-model"),
    ],
)
async def test_entitlement_reference_sent_as_given(
    mode: str, method: str, entitlement: Any
) -> None:
    wire = Wire(mode)
    args = minimal_args(method)
    args["entitlement"] = entitlement
    await wire.call(method, **args)
    assert wire.body()["entitlement"] == {"related": ENT_URL}


@pytest.mark.asyncio
async def test_optional_entitlement_fields_are_sent_when_given(mode: str) -> None:
    wire = Wire(mode)
    full = {
        **ENT_DETAILS,
        "usage_reporting_id": "usage-1",
        "resource_id": "res-1",
        "organization": {"related": "https://api.confluent.cloud/org/v2/organizations/o-1"},
    }
    await wire.call("signup", organization=ORG, entitlement=full)
    assert wire.body()["entitlement"] == full


READ_ONLY_ORG = {
    "api_version": "partner/v2",
    "kind": "Organization",
    "id": "org-read-only",
    "metadata": {"self": "https://api.confluent.cloud/org/v2/organizations/org-read-only"},
    "sso_url": "https://confluent.cloud/login/sso/read-only",
}
READ_ONLY_ENT = {
    "api_version": "partner/v2",
    "kind": "Entitlement",
    "id": "ent-read-only",
    "metadata": {
        "self": "https://api.confluent.cloud/partner/v2/entitlements/ent-read-only",
        "created_at": "2024-01-02T03:04:05Z",
    },
}
READ_ONLY_REF = {
    "kind": "Entitlement",
    "api_version": "partner/v2",
    "resource_name": "crn://confluent.cloud/entitlement=ent-123",
}


@pytest.mark.asyncio
@pytest.mark.parametrize("as_model", [False, True], ids=["dicts", "models"])
async def test_read_only_fields_are_never_sent_on_signup(mode: str, as_model: bool) -> None:
    organization: Any = {**ORG, **READ_ONLY_ORG}
    entitlement: Any = {**ENT_DETAILS, **READ_ONLY_ENT}
    if as_model:
        organization = models.SignupOrganization.model_validate(organization)
        entitlement = models.EntitlementDetails.model_validate(entitlement)
        # The models did accept the read-only values; they are just not sent.
        assert organization.id == "org-read-only"
        assert entitlement.metadata is not None
    wire = Wire(mode)
    await wire.call("signup", organization=organization, entitlement=entitlement, user=USER)
    assert wire.body() == {"organization": ORG, "entitlement": ENT_DETAILS, "user": USER}


@pytest.mark.asyncio
@pytest.mark.parametrize("as_model", [False, True], ids=["dicts", "models"])
async def test_read_only_fields_are_never_sent_on_link(mode: str, as_model: bool) -> None:
    organization: Any = {"sso_config": SSO, **READ_ONLY_ORG}
    entitlement: Any = {**ENT_REF, **READ_ONLY_REF}
    if as_model:
        organization = models.LinkOrganization.model_validate(organization)
        entitlement = models.EntitlementReference.model_validate(entitlement)
    wire = Wire(mode)
    await wire.call(
        "signup_partner_v2_link",
        token=LINK_TOKEN,
        organization=organization,
        entitlement=entitlement,
    )
    assert wire.body() == {
        "token": LINK_TOKEN,
        "organization": {"sso_config": SSO},
        "entitlement": {"related": ENT_URL},
    }


@pytest.mark.asyncio
@pytest.mark.parametrize("as_model", [False, True], ids=["dict", "model"])
async def test_activate_signup_body(mode: str, as_model: bool) -> None:
    user: Any = models.User.model_validate(USER) if as_model else USER
    wire = Wire(mode)
    await wire.call("activate_signup", user=user, organization_id=ORG_ID)
    assert wire.body() == {"user": USER, "organization_id": ORG_ID}


@pytest.mark.asyncio
async def test_link_body_without_and_with_organization_name(mode: str) -> None:
    wire = Wire(mode)
    await wire.call(
        "signup_partner_v2_link",
        token=LINK_TOKEN,
        organization={"sso_config": SSO},
        entitlement=ENT_DETAILS,
    )
    await wire.call(
        "signup_partner_v2_link",
        token=LINK_TOKEN,
        organization=models.LinkOrganization(
            name="Acme Linked", sso_config=models.AzureSSOConfig.model_validate(SSO)
        ),
        entitlement=models.EntitlementDetails.model_validate(ENT_DETAILS),
    )
    first, second = (json.loads(r.content) for r in wire.requests)
    assert first == {
        "token": LINK_TOKEN,
        "organization": {"sso_config": SSO},
        "entitlement": ENT_DETAILS,
    }
    assert "name" not in first["organization"]
    assert second == {
        "token": LINK_TOKEN,
        "organization": {"name": "Acme Linked", "sso_config": SSO},
        "entitlement": ENT_DETAILS,
    }


@pytest.mark.asyncio
async def test_link_token_is_on_the_wire_but_not_in_model_repr(mode: str) -> None:
    request_model = models.PartnerLinkRequest.model_validate(
        {"token": LINK_TOKEN, "organization": {"sso_config": SSO}, "entitlement": ENT_REF}
    )
    assert LINK_TOKEN not in repr(request_model)
    assert LINK_TOKEN not in str(request_model)
    assert request_model.token == LINK_TOKEN
    wire = Wire(mode)
    await wire.call(
        "signup_partner_v2_link",
        token=LINK_TOKEN,
        organization={"sso_config": SSO},
        entitlement=ENT_REF,
    )
    assert wire.body()["token"] == LINK_TOKEN
    assert LINK_TOKEN.encode() in wire.only.content


# --------------------------------------------------------------------------- credentials


def basic_header(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode("ascii")


@pytest.mark.asyncio
@pytest.mark.parametrize("method", list(PATHS))
async def test_basic_auth_header(mode: str, method: str) -> None:
    wire = Wire(mode, api_key=API_KEY, api_secret=API_SECRET)
    await wire.call(method, **minimal_args(method))
    assert wire.only.headers["Authorization"] == basic_header(API_KEY, API_SECRET)


@pytest.mark.asyncio
async def test_bearer_auth_header(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Environment credentials must not win over an explicit token.
    monkeypatch.setenv("CONFLUENT_CLOUD_API_KEY", "ENV-KEY")
    monkeypatch.setenv("CONFLUENT_CLOUD_API_SECRET", "ENV-SECRET")
    wire = Wire(mode, bearer_token=BEARER)
    await wire.call("signup", **minimal_args("signup"))
    assert wire.only.headers["Authorization"] == f"Bearer {BEARER}"


@pytest.mark.asyncio
async def test_explicit_key_wins_over_environment(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFLUENT_CLOUD_API_KEY", "ENV-KEY")
    monkeypatch.setenv("CONFLUENT_CLOUD_API_SECRET", "ENV-SECRET")
    monkeypatch.setenv("CONFLUENT_CLOUD_BEARER_TOKEN", "ENV-TOKEN")
    wire = Wire(mode, api_key=API_KEY, api_secret=API_SECRET)
    await wire.call("signup", **minimal_args("signup"))
    assert wire.only.headers["Authorization"] == basic_header(API_KEY, API_SECRET)


@pytest.mark.asyncio
async def test_api_key_from_environment(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFLUENT_CLOUD_BEARER_TOKEN", raising=False)
    monkeypatch.setenv("CONFLUENT_CLOUD_API_KEY", "ENV-KEY-123")
    monkeypatch.setenv("CONFLUENT_CLOUD_API_SECRET", "ENV-SECRET-456")
    wire = Wire(mode, base_url=BASE_URL)  # no credentials passed
    await wire.call("activate_signup", **minimal_args("activate_signup"))
    assert wire.only.headers["Authorization"] == basic_header("ENV-KEY-123", "ENV-SECRET-456")


@pytest.mark.asyncio
async def test_bearer_token_from_environment(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFLUENT_CLOUD_API_KEY", raising=False)
    monkeypatch.delenv("CONFLUENT_CLOUD_API_SECRET", raising=False)
    monkeypatch.setenv("CONFLUENT_CLOUD_BEARER_TOKEN", "ENV-TOKEN-789")
    wire = Wire(mode, base_url=BASE_URL)
    await wire.call("activate_signup", **minimal_args("activate_signup"))
    assert wire.only.headers["Authorization"] == "Bearer ENV-TOKEN-789"


@pytest.mark.parametrize("client_cls", [PartnerClient, AsyncPartnerClient])
def test_no_credentials_at_all_is_a_value_error(
    client_cls: type[PartnerClient] | type[AsyncPartnerClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match="credentials"):
        client_cls(base_url=BASE_URL)


@pytest.mark.parametrize("client_cls", [PartnerClient, AsyncPartnerClient])
def test_both_kinds_of_credentials_is_a_value_error(
    client_cls: type[PartnerClient] | type[AsyncPartnerClient],
) -> None:
    with pytest.raises(ValueError, match="not both"):
        client_cls(api_key=API_KEY, api_secret=API_SECRET, bearer_token=BEARER, base_url=BASE_URL)
    with pytest.raises(ValueError):
        client_cls(api_key=API_KEY, bearer_token=BEARER, base_url=BASE_URL)


def test_repr_hides_secret_and_token() -> None:
    with httpx.Client(transport=httpx.MockTransport(ok_response)) as http:
        basic = PartnerClient(
            api_key=API_KEY, api_secret=API_SECRET, base_url=BASE_URL, http_client=http
        )
        bearer = PartnerClient(bearer_token=BEARER, base_url=BASE_URL, http_client=http)
        for client in (basic, bearer):
            text = repr(client)
            assert API_SECRET not in text
            assert BEARER not in text
            assert "127.0.0.1:9" in text  # it is a real repr, not an empty string


@pytest.mark.asyncio
async def test_async_repr_hides_secret_and_token() -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(ok_response)) as http:
        basic = AsyncPartnerClient(
            api_key=API_KEY, api_secret=API_SECRET, base_url=BASE_URL, http_client=http
        )
        bearer = AsyncPartnerClient(bearer_token=BEARER, base_url=BASE_URL, http_client=http)
        for client in (basic, bearer):
            text = repr(client)
            assert API_SECRET not in text
            assert BEARER not in text
            assert "127.0.0.1:9" in text


# --------------------------------------------------------------------------- headers


@pytest.mark.asyncio
@pytest.mark.parametrize("method", list(PATHS))
async def test_user_agent_names_the_package(mode: str, method: str) -> None:
    wire = Wire(mode)
    await wire.call(method, **minimal_args(method))
    user_agent = wire.only.headers["User-Agent"]
    assert user_agent.startswith(f"confluent-partner-v2/{confluent_partner_v2.__version__}")
    assert wire.only.headers["Accept"] == "application/json"


@pytest.mark.asyncio
async def test_extra_headers_query_and_timeout_are_passed_through(mode: str) -> None:
    wire = Wire(mode)
    await wire.call(
        "signup",
        dry_run=True,
        extra_headers={"X-Trace": "trace-1", "Idempotency-Key": "idem-2"},
        extra_query={"debug": "1", "region": "eu"},
        timeout=httpx.Timeout(7.5, connect=1.5),
        **minimal_args("signup"),
    )
    request = wire.only
    assert request.headers["X-Trace"] == "trace-1"
    assert request.headers["Idempotency-Key"] == "idem-2"
    assert dict(request.url.params) == {"dry_run": "true", "debug": "1", "region": "eu"}
    assert request.extensions["timeout"] == {
        "connect": 1.5,
        "read": 7.5,
        "write": 7.5,
        "pool": 7.5,
    }
    # The auth header is still there: extra headers add, they do not replace.
    assert request.headers["Authorization"] == basic_header(API_KEY, API_SECRET)


@pytest.mark.asyncio
async def test_per_call_float_timeout_and_default_timeout(mode: str) -> None:
    wire = Wire(mode)
    await wire.call("activate_signup", timeout=3.0, **minimal_args("activate_signup"))
    await wire.call("activate_signup", **minimal_args("activate_signup"))
    with_timeout, default = wire.requests
    assert with_timeout.extensions["timeout"] == {
        "connect": 3.0,
        "read": 3.0,
        "write": 3.0,
        "pool": 3.0,
    }
    assert default.extensions["timeout"] != with_timeout.extensions["timeout"]


# --------------------------------------------------------------------------- responses


@pytest.mark.asyncio
@pytest.mark.parametrize("method", list(PATHS))
async def test_201_response_parses_and_tolerates_unknown_fields(mode: str, method: str) -> None:
    payload = {**OK_BODY, "future_field": {"nested": [1, 2]}}

    def responder(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json=payload, headers={"X-Request-Id": "req-ok"})

    wire = Wire(mode, responder)
    result = await wire.call(method, **minimal_args(method))
    assert isinstance(result, models.PartnerSignupResponse)
    assert result.organization_id == OK_BODY["organization_id"]
    assert result.sso_url == OK_BODY["sso_url"]
    assert result.display_message == OK_BODY["display_message"]


def error_payload(status: int) -> dict[str, Any]:
    return {
        "errors": [
            {
                "id": f"err-{status}-a",
                "status": str(status),
                "code": f"code_{status}",
                "title": f"Title {status}",
                "detail": f"Detail of problem {status}.",
            },
            {"id": f"err-{status}-b", "status": str(status), "code": "second"},
        ]
    }


STATUS_ERRORS = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (409, ConflictError),
    (429, RateLimitError),
    (500, InternalServerError),
    (503, InternalServerError),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("status", "error_cls"), STATUS_ERRORS)
async def test_error_status_raises_its_exception(
    mode: str, status: int, error_cls: type[APIStatusError]
) -> None:
    request_id = f"req-{status}-xyz"

    def responder(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status, json=error_payload(status), headers={"X-Request-Id": request_id}
        )

    wire = Wire(mode, responder)
    with pytest.raises(error_cls) as caught:  # retries have their own tests (test_retries.py)
        await wire.call("signup", **minimal_args("signup"), max_retries=0)
    exc = caught.value
    assert type(exc) is error_cls
    assert isinstance(exc, APIStatusError)
    assert isinstance(exc, APIError)
    assert exc.status_code == status
    assert exc.request_id == request_id
    assert isinstance(exc.response, httpx.Response)
    assert exc.response.status_code == status
    assert exc.response.headers["X-Request-Id"] == request_id
    assert exc.request.url == wire.only.url
    assert all(isinstance(error, models.Error) for error in exc.errors)
    sent = error_payload(status)["errors"]
    assert len(exc.errors) == len(sent)
    first = exc.errors[0]
    assert (first.id, first.status, first.code, first.title, first.detail) == (
        f"err-{status}-a",
        str(status),
        f"code_{status}",
        f"Title {status}",
        f"Detail of problem {status}.",
    )
    assert exc.errors[1].code == "second"
    assert exc.errors[1].title is None


@pytest.mark.asyncio
@pytest.mark.parametrize("method", list(PATHS))
async def test_every_operation_maps_conflict(mode: str, method: str) -> None:
    def responder(request: httpx.Request) -> httpx.Response:
        return httpx.Response(409, json=error_payload(409), headers={"X-Request-Id": "r-409"})

    wire = Wire(mode, responder)
    with pytest.raises(ConflictError) as caught:
        await wire.call(method, **minimal_args(method))
    assert caught.value.request_id == "r-409"
    assert [e.id for e in caught.value.errors] == ["err-409-a", "err-409-b"]


@pytest.mark.asyncio
@pytest.mark.parametrize(("status", "error_cls"), STATUS_ERRORS)
async def test_error_with_plain_text_body(
    mode: str, status: int, error_cls: type[APIStatusError]
) -> None:
    def responder(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status,
            text="upstream exploded <html>",
            headers={"Content-Type": "text/plain", "X-Request-Id": "req-text"},
        )

    wire = Wire(mode, responder)
    with pytest.raises(error_cls) as caught:
        await wire.call("signup_partner_v2_link", **minimal_args("signup_partner_v2_link"))
    exc = caught.value
    assert type(exc) is error_cls
    assert exc.status_code == status
    assert exc.errors == []
    assert exc.request_id == "req-text"
    assert exc.response.text == "upstream exploded <html>"


# --------------------------------------------------------------------------- invalid input


SIGNUP_OK = {"organization": ORG, "entitlement": ENT_DETAILS}

INVALID_CALLS: list[Any] = [
    pytest.param(
        "signup",
        {**SIGNUP_OK, "organization": {"name": "Acme<Corp", "sso_config": SSO}},
        "organization.name",
        id="name-forbidden-char",
    ),
    pytest.param(
        "signup",
        {**SIGNUP_OK, "organization": {"name": "A" * 32, "sso_config": SSO}},
        "organization.name",
        id="name-32-chars",
    ),
    pytest.param(
        "signup",
        {**SIGNUP_OK, "organization": {"sso_config": SSO}},
        "organization.name",
        id="signup-organization-without-name",
    ),
    pytest.param(
        "activate_signup",
        {"user": {"given_name": "Ada", "family_name": "Lovelace"}, "organization_id": ORG_ID},
        "user.email",
        id="user-without-email",
    ),
    pytest.param(
        "activate_signup",
        {"user": USER, "organization_id": 123},
        "organization_id",
        id="organization-id-int",
    ),
    pytest.param(
        "signup",
        {**SIGNUP_OK, "entitlement": {"plan": "gold", "sku": 7}},
        "entitlement",
        id="entitlement-neither-details-nor-reference",
    ),
    pytest.param(
        "signup",
        {**SIGNUP_OK, "organization": {**ORG, "bogus": 1}},
        "organization.bogus",
        id="organization-extra-field",
    ),
    pytest.param(
        "signup_partner_v2_link",
        {**minimal_args("signup_partner_v2_link"), "organization": {"sso_config": SSO, "bogus": 1}},
        "organization.bogus",
        id="link-organization-extra-field",
    ),
    pytest.param(
        "signup",
        {**SIGNUP_OK, "entitlement": {**ENT_DETAILS, "bogus": 1}},
        "entitlement",
        id="entitlement-details-extra-field",
    ),
    pytest.param(
        "signup",
        {
            **SIGNUP_OK,
            "organization": {
                "name": "Acme",
                "sso_config": {"kind": "OktaSSOConfig", "tenant_id": "t"},
            },
        },
        "organization.sso_config",
        id="sso-config-unknown-kind",
    ),
    pytest.param(
        "signup",
        {**SIGNUP_OK, "organization": {"name": "Acme", "sso_config": {"tenant_id": "t"}}},
        "organization.sso_config",
        id="sso-config-without-kind",
    ),
    pytest.param(
        "signup_partner_v2_link",
        {**minimal_args("signup_partner_v2_link"), "token": None},
        "token",
        id="token-none",
    ),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("method", "kwargs", "field"), INVALID_CALLS)
async def test_invalid_input_is_refused_before_sending(
    mode: str, method: str, kwargs: dict[str, Any], field: str
) -> None:
    wire = Wire(mode)
    with pytest.raises(pydantic.ValidationError) as caught:
        await wire.call(method, **copy.deepcopy(kwargs))
    assert wire.requests == []
    message = str(caught.value)
    assert field in message
    locations = {".".join(str(part) for part in error["loc"]) for error in caught.value.errors()}
    assert any(loc.startswith(field) for loc in locations), locations


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("method", "missing"),
    [
        ("signup", "entitlement"),
        ("signup", "organization"),
        ("activate_signup", "organization_id"),
        ("signup_partner_v2_link", "token"),
    ],
)
async def test_missing_required_keyword_is_a_type_error(
    mode: str, method: str, missing: str
) -> None:
    args = minimal_args(method)
    del args[missing]
    wire = Wire(mode)
    with pytest.raises(TypeError, match=missing):
        await wire.call(method, **args)
    assert wire.requests == []


@pytest.mark.asyncio
async def test_positional_arguments_are_a_type_error(mode: str) -> None:
    wire = Wire(mode)
    with pytest.raises(TypeError):
        await wire.call("activate_signup", USER, ORG_ID)
    assert wire.requests == []


# --------------------------------------------------------------------------- transport failures


@pytest.mark.asyncio
@pytest.mark.parametrize("method", list(PATHS))
async def test_connect_error_is_api_connection_error(mode: str, method: str) -> None:
    def responder(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    wire = Wire(mode, responder)
    with pytest.raises(APIConnectionError) as caught:
        await wire.call(method, **minimal_args(method), max_retries=0)
    assert not isinstance(caught.value, APITimeoutError)
    assert isinstance(caught.value, APIError)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert caught.value.request.url.path == PATHS[method]
    assert len(wire.requests) == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("method", list(PATHS))
async def test_read_timeout_is_api_timeout_error(mode: str, method: str) -> None:
    def responder(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    wire = Wire(mode, responder)
    with pytest.raises(APITimeoutError) as caught:
        await wire.call(method, **minimal_args(method))
    assert isinstance(caught.value, APIConnectionError)
    assert isinstance(caught.value, APIError)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert caught.value.request.url.path == PATHS[method]
