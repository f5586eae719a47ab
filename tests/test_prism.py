"""The generated client against Stoplight Prism serving spec/partner-v2.yaml.

Prism validates every request against the spec. A valid request gets the documented 201 example;
an invalid one gets the operation's 400 example, with the violations only in the
``sl-violations`` response header (401 when no credentials are sent). So each success test
asserts status 201, *no* ``sl-violations`` header and a parsed ``PartnerSignupResponse``; the
sanity tests below prove that Prism would have flagged a bad request.

Every test runs against the blocking client (``PartnerClient``) and the asyncio client
(``AsyncPartnerClient``) through the ``mode`` fixture. Error statuses are requested with
``Prefer: code=NNN``. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pydantic
import pytest
from confluent_partner_v2 import (
    OMIT,
    APIResponse,
    APIStatusError,
    APITimeoutError,
    AsyncPartnerClient,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    PartnerClient,
    PermissionDeniedError,
    RateLimitError,
    models,
)

API_KEY = "KEY-4f1c2a"
API_SECRET = "SECRET-9d8e7f6a5b4c"
BEARER = "TOKEN-eyJhbGciOiJIUzI1NiJ9.payload.sig"
BASIC = {"api_key": API_KEY, "api_secret": API_SECRET}

SIGNUP_PATH = "/partner/v2/signup"
METHODS = ["signup", "activate_signup", "signup_partner_v2_link"]
DRY_RUN_VALUES = [
    pytest.param(True, id="dry_run-true"),
    pytest.param(False, id="dry_run-false"),
    pytest.param(OMIT, id="dry_run-omitted"),
]

TENANT = "b3a1c2d4-0000-4000-8000-0123456789ab"
SSO = {"kind": "AzureSSOConfig", "tenant_id": TENANT}
ORG = {"name": "Acme Corp", "sso_config": SSO}
ENT_URL = "https://api.confluent.cloud/partner/v2/entitlements/ent-123"
ENT_DETAILS_FULL = {
    "external_id": "1111-2222",
    "name": "Acme Prod",
    "plan_id": "confluent-cloud-payg-prod",
    "product_id": "confluent-cloud-kafka-service-azure",
    "usage_reporting_id": "usage-3333",
    "resource_id": "res-4444",
    "organization": {
        "related": "https://api.confluent.cloud/org/v2/organizations/org-1",
        "id": "org-1",
    },
}
ENT_REF = {"related": ENT_URL}
USER = {"email": "ops@acme.example", "given_name": "Ada", "family_name": "Lovelace"}
ORG_ID = "org-7c9e6679"
LINK_TOKEN = "LINKING-TOKEN-0f9e8d7c6b5a"

# The 201 example in the spec (PartnerSignupResponse.example), which Prism serves.
EXAMPLE_ORG_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
EXAMPLE_SSO_URL = "https://confluent.cloud/login/sso/example-connection"


# --------------------------------------------------------------------------- argument builders


def organization(style: str, *, link: bool = False, named: bool = True) -> Any:
    if style == "dicts":
        return (
            {"name": ORG["name"], "sso_config": dict(SSO)} if named else {"sso_config": dict(SSO)}
        )
    sso = models.AzureSSOConfig(kind="AzureSSOConfig", tenant_id=TENANT)
    if link:
        return (
            models.LinkOrganization(name=ORG["name"], sso_config=sso)
            if named
            else models.LinkOrganization(sso_config=sso)
        )
    return models.SignupOrganization(name=ORG["name"], sso_config=sso)


def entitlement(style: str, kind: str) -> Any:
    if kind == "details":
        if style == "dicts":
            return json.loads(json.dumps(ENT_DETAILS_FULL))
        return models.EntitlementDetails(
            external_id=ENT_DETAILS_FULL["external_id"],
            name=ENT_DETAILS_FULL["name"],
            plan_id=ENT_DETAILS_FULL["plan_id"],
            product_id=ENT_DETAILS_FULL["product_id"],
            usage_reporting_id=ENT_DETAILS_FULL["usage_reporting_id"],
            resource_id=ENT_DETAILS_FULL["resource_id"],
            organization=models.ObjectReference(
                related="https://api.confluent.cloud/org/v2/organizations/org-1", id="org-1"
            ),
        )
    return dict(ENT_REF) if style == "dicts" else models.EntitlementReference(related=ENT_URL)


def user(style: str) -> Any:
    return dict(USER) if style == "dicts" else models.User(**USER)


def args_for(method: str, style: str = "dicts") -> dict[str, Any]:
    """Valid arguments for ``method`` (entitlement details for signup, a reference for link)."""
    if method == "signup":
        return {
            "organization": organization(style),
            "entitlement": entitlement(style, "details"),
            "user": user(style),
        }
    if method == "activate_signup":
        return {"user": user(style), "organization_id": ORG_ID}
    return {
        "token": LINK_TOKEN,
        "organization": organization(style, link=True),
        "entitlement": entitlement(style, "reference"),
    }


# --------------------------------------------------------------------------- calling


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


class Counter:
    """An httpx request hook that counts the requests that actually went out."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> None:
        self.requests.append(request)

    async def async_hook(self, request: httpx.Request) -> None:
        self.requests.append(request)


async def invoke(
    mode: str,
    base_url: str,
    method: str,
    *,
    raw: bool = True,
    client_kwargs: dict[str, Any] | None = None,
    counter: Counter | None = None,
    **kwargs: Any,
) -> Any:
    """Call ``client.signups[.with_raw_response].<method>(**kwargs)`` on a fresh client.

    With a ``counter``, the client gets its own httpx client whose request hook records every
    attempt (so retries can be counted); either way every client is closed before returning.
    """
    options = dict(BASIC if client_kwargs is None else client_kwargs)
    options["base_url"] = base_url
    if mode == "sync":
        hooks = {"request": [counter]} if counter is not None else {}
        with (
            httpx.Client(event_hooks=hooks) as http,
            PartnerClient(http_client=http, **options) as client,
        ):
            resource: Any = client.signups.with_raw_response if raw else client.signups
            return getattr(resource, method)(**kwargs)
    ahooks = {"request": [counter.async_hook]} if counter is not None else {}
    async with (
        httpx.AsyncClient(event_hooks=ahooks) as ahttp,
        AsyncPartnerClient(http_client=ahttp, **options) as aclient,
    ):
        aresource: Any = aclient.signups.with_raw_response if raw else aclient.signups
        return await getattr(aresource, method)(**kwargs)


def assert_clean_201(response: APIResponse[Any]) -> models.PartnerSignupResponse:
    """201, no spec violations reported by Prism, and the documented example parsed."""
    assert isinstance(response, APIResponse)
    assert response.status_code == 201
    assert "sl-violations" not in response.headers, response.headers["sl-violations"]
    assert response.request_id is not None
    assert response.request_id == response.headers["X-Request-Id"]
    body = response.parse()
    assert isinstance(body, models.PartnerSignupResponse)
    assert body.organization_id == EXAMPLE_ORG_ID
    assert body.sso_url == EXAMPLE_SSO_URL
    return body


def sent_body(response: APIResponse[Any]) -> Any:
    return json.loads(response.http_response.request.content)


def sent_dry_run(response: APIResponse[Any]) -> list[str]:
    return response.http_response.request.url.params.get_list("dry_run")


def violations(response: httpx.Response) -> list[dict[str, Any]]:
    header = response.headers.get("sl-violations")
    assert header is not None, f"Prism reported no violation ({response.status_code})"
    parsed: list[dict[str, Any]] = json.loads(header)
    return parsed


def raw_post(base_url: str, path: str, body: Any, *, auth: bool = True) -> httpx.Response:
    """POST ``body`` as JSON with plain httpx (no client-side validation); basic auth if ``auth``."""
    with httpx.Client(base_url=base_url, timeout=10.0, trust_env=False) as http:
        return http.post(path, json=body, auth=(API_KEY, API_SECRET) if auth else None)


# --------------------------------------------------------------------------- every operation, clean


@pytest.mark.asyncio
@pytest.mark.parametrize("style", ["dicts", "models"])
@pytest.mark.parametrize("kind", ["details", "reference"])
@pytest.mark.parametrize("with_user", [True, False], ids=["user", "no-user"])
@pytest.mark.parametrize("dry_run", DRY_RUN_VALUES)
async def test_signup_is_valid_for_prism(
    prism_url: str, mode: str, style: str, kind: str, with_user: bool, dry_run: Any
) -> None:
    kwargs: dict[str, Any] = {
        "organization": organization(style),
        "entitlement": entitlement(style, kind),
        "dry_run": dry_run,
    }
    if with_user:
        kwargs["user"] = user(style)
    response = await invoke(mode, prism_url, "signup", **kwargs)
    assert_clean_201(response)
    body = sent_body(response)
    assert ("user" in body) is with_user
    expected_entitlement = ENT_DETAILS_FULL if kind == "details" else ENT_REF
    assert body["entitlement"] == expected_entitlement
    assert body["organization"] == ORG
    assert sent_dry_run(response) == ([] if dry_run is OMIT else [str(dry_run).lower()])


@pytest.mark.asyncio
@pytest.mark.parametrize("style", ["dicts", "models"])
async def test_activate_signup_is_valid_for_prism(prism_url: str, mode: str, style: str) -> None:
    response = await invoke(
        mode, prism_url, "activate_signup", user=user(style), organization_id=ORG_ID
    )
    assert_clean_201(response)
    assert sent_body(response) == {"user": USER, "organization_id": ORG_ID}


@pytest.mark.asyncio
@pytest.mark.parametrize("style", ["dicts", "models"])
@pytest.mark.parametrize("kind", ["details", "reference"])
@pytest.mark.parametrize("named", [True, False], ids=["named", "unnamed"])
@pytest.mark.parametrize("dry_run", DRY_RUN_VALUES)
async def test_link_is_valid_for_prism(
    prism_url: str, mode: str, style: str, kind: str, named: bool, dry_run: Any
) -> None:
    response = await invoke(
        mode,
        prism_url,
        "signup_partner_v2_link",
        token=LINK_TOKEN,
        organization=organization(style, link=True, named=named),
        entitlement=entitlement(style, kind),
        dry_run=dry_run,
    )
    assert_clean_201(response)
    body = sent_body(response)
    assert body["token"] == LINK_TOKEN
    assert body["organization"] == (ORG if named else {"sso_config": SSO})
    assert sent_dry_run(response) == ([] if dry_run is OMIT else [str(dry_run).lower()])


@pytest.mark.asyncio
@pytest.mark.parametrize("method", METHODS)
async def test_plain_call_returns_the_parsed_model(prism_url: str, mode: str, method: str) -> None:
    result = await invoke(mode, prism_url, method, raw=False, **args_for(method))
    assert isinstance(result, models.PartnerSignupResponse)
    assert (result.organization_id, result.sso_url) == (EXAMPLE_ORG_ID, EXAMPLE_SSO_URL)


@pytest.mark.asyncio
@pytest.mark.parametrize("method", METHODS)
async def test_read_only_fields_given_to_the_client_never_reach_prism(
    prism_url: str, mode: str, method: str
) -> None:
    # Prism rejects readOnly properties in requests ("must NOT have additional properties");
    # the client accepts them (e.g. from a fetched object) and must strip them.
    kwargs = args_for(method)
    if "organization" in kwargs:
        kwargs["organization"] = {
            **ORG,
            "id": "org-ro",
            "kind": "Organization",
            "api_version": "partner/v2",
            "sso_url": "https://confluent.cloud/login/sso/ro",
            "metadata": {"self": "https://api.confluent.cloud/org/v2/organizations/org-ro"},
        }
    if method == "signup":
        kwargs["entitlement"] = {
            **ENT_DETAILS_FULL,
            "id": "ent-ro",
            "kind": "Entitlement",
            "metadata": {"self": ENT_URL, "created_at": "2024-01-02T03:04:05Z"},
        }
    response = await invoke(mode, prism_url, method, **kwargs)
    assert_clean_201(response)


# --------------------------------------------------------------------------- Prism really checks


def test_prism_flags_a_body_without_organization(prism_url: str) -> None:
    response = raw_post(prism_url, SIGNUP_PATH, {"entitlement": ENT_REF})
    assert response.status_code == 400
    found = violations(response)
    assert any("organization" in v["message"] for v in found), found
    assert any(v["location"] == ["request", "body"] and v["code"] == "required" for v in found)


@pytest.mark.parametrize("char", list("<>#%'*^`{|}~\""))
def test_prism_flags_each_forbidden_name_character_and_so_does_the_client(
    prism_url: str, char: str
) -> None:
    name = f"Acme{char}"
    response = raw_post(
        prism_url, SIGNUP_PATH, {"organization": {**ORG, "name": name}, "entitlement": ENT_REF}
    )
    assert response.status_code == 400
    found = violations(response)
    assert [v["code"] for v in found] == ["pattern"], found
    assert found[0]["location"] == ["request", "body", "organization", "name"]
    # The client's compiled pattern agrees with Prism's: refused before sending.
    with pytest.raises(pydantic.ValidationError, match="name"):
        models.SignupOrganization(name=name, sso_config=models.AzureSSOConfig(**SSO))


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        pytest.param("Acme & Co. (EU) - Ltd/1; ok!", True, id="punctuation"),
        pytest.param("a" * 31, True, id="31-chars"),
        pytest.param("é" * 31, True, id="31-accented"),
        pytest.param("\U0001f600" * 20, True, id="20-astral"),
        pytest.param("a" * 32, False, id="32-chars"),
        pytest.param("", False, id="empty"),
    ],
)
def test_client_and_prism_agree_on_organization_name(
    prism_url: str, name: str, valid: bool
) -> None:
    response = raw_post(
        prism_url, SIGNUP_PATH, {"organization": {**ORG, "name": name}, "entitlement": ENT_REF}
    )
    assert (response.status_code == 201) is valid, response.headers.get("sl-violations")
    assert ("sl-violations" not in response.headers) is valid
    try:
        models.SignupOrganization(name=name, sso_config=models.AzureSSOConfig(**SSO))
    except pydantic.ValidationError:
        client_ok = False
    else:
        client_ok = True
    assert client_ok is valid


BAD_FORMATS = [
    pytest.param(
        "activate_signup",
        {"user": {**USER, "email": "not-an-email"}, "organization_id": ORG_ID},
        ["request", "body", "user", "email"],
        id="user.email",
    ),
    pytest.param(
        "signup",
        {"organization": ORG, "entitlement": {"related": "ent-123"}},
        ["request", "body", "entitlement", "related"],
        id="entitlement.related",
    ),
]
FORMAT_PATHS = {"activate_signup": SIGNUP_PATH + "/activate", "signup": SIGNUP_PATH}


@pytest.mark.parametrize(("method", "kwargs", "location"), BAD_FORMATS)
def test_prism_rejects_values_breaking_format_email_and_uri(
    prism_url: str, method: str, kwargs: dict[str, Any], location: list[str]
) -> None:
    response = raw_post(prism_url, FORMAT_PATHS[method], kwargs)
    assert response.status_code == 400
    found = violations(response)
    # (a bad reference also fails the details branch of the oneOf: more violations follow)
    assert (location, "format") in [(v["location"], v["code"]) for v in found], found


@pytest.mark.asyncio
@pytest.mark.parametrize(("method", "kwargs", "location"), BAD_FORMATS)
async def test_client_refuses_values_breaking_format_before_sending(
    prism_url: str, mode: str, method: str, kwargs: dict[str, Any], location: list[str]
) -> None:
    # README: "Invalid arguments raise pydantic.ValidationError, naming the field, before
    # anything is sent." (At commit 24861cd the client sent these and Prism answered 400.)
    counter = Counter()
    with pytest.raises(pydantic.ValidationError, match=location[-1]):
        await invoke(mode, prism_url, method, raw=False, counter=counter, max_retries=0, **kwargs)
    assert counter.requests == []


async def client_verdict(prism_url: str, method: str, kwargs: dict[str, Any]) -> str:
    """What the client does with ``kwargs``: "refused" before sending, or Prism's 201/400."""
    counter = Counter()
    try:
        await invoke("sync", prism_url, method, raw=False, counter=counter, max_retries=0, **kwargs)
    except pydantic.ValidationError:
        assert counter.requests == []
        return "refused"
    except BadRequestError as exc:
        return f"sent, Prism 400: {exc.response.headers.get('sl-violations')}"
    return "sent, Prism 201"


def _invalid(value: str, why: str) -> Any:
    """A value Prism rejects and the client must refuse before sending (``why`` names the trap)."""
    return pytest.param(value, False, id=f"{repr(value)[1:-1]} ({why})")


EMAILS = [
    pytest.param("ops@acme.example", True, id="plain"),
    pytest.param("Ada.Lovelace+ops@Acme.Example", True, id="plus-dots-case"),
    pytest.param("not-an-email", False, id="no-at"),
    pytest.param("ops@localhost", False, id="single-label-domain"),
    pytest.param("a..b@acme.example", False, id="double-dot"),
    pytest.param(" ops@acme.example", False, id="leading-space"),
    pytest.param("Ada <ops@acme.example>", False, id="display-name"),
    pytest.param("j\u00f6rg@acme.example", False, id="non-ascii-local"),
    _invalid("ops@acme.example\n", "trailing newline"),
]
URIS = [
    pytest.param(ENT_URL, True, id="https"),
    pytest.param("urn:isbn:0451450523", True, id="urn"),
    pytest.param("crn://confluent.cloud/organization=o-1", True, id="crn"),
    pytest.param("ent-123", False, id="relative"),
    pytest.param("//api.confluent.cloud/x", False, id="network-path"),
    pytest.param("https://api.confluent.cloud/a b", False, id="space"),
    _invalid(ENT_URL + "\n", "Python `$` also matches before a trailing newline"),
    _invalid("https://api.confluent.cloud/%zz", "invalid percent-encoding"),
    _invalid("https://api.confluent.cloud/{id}", "`{` and `}` are not allowed in a URI"),
    _invalid("https://api.confluent.cloud/<x>", "`<` and `>` are not allowed in a URI"),
    _invalid("https://api.confluent.cloud/entitlements/\u00e4", "non-ASCII: an IRI, not a URI"),
    _invalid("https://[::1/x", "unclosed IP-literal"),
    _invalid("ent:", "the pattern only requires `scheme:`"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("email", "valid"), EMAILS)
async def test_client_and_prism_agree_on_format_email(
    prism_url: str, email: str, valid: bool
) -> None:
    kwargs = {"user": {**USER, "email": email}, "organization_id": ORG_ID}
    prism = raw_post(prism_url, SIGNUP_PATH + "/activate", kwargs)
    assert (prism.status_code == 201) is valid, prism.headers.get("sl-violations")
    verdict = await client_verdict(prism_url, "activate_signup", kwargs)
    assert verdict == ("sent, Prism 201" if valid else "refused")


@pytest.mark.asyncio
@pytest.mark.parametrize(("uri", "valid"), URIS)
async def test_client_and_prism_agree_on_format_uri(prism_url: str, uri: str, valid: bool) -> None:
    kwargs = {"organization": ORG, "entitlement": {"related": uri}}
    prism = raw_post(prism_url, SIGNUP_PATH, kwargs)
    assert (prism.status_code == 201) is valid, prism.headers.get("sl-violations")
    verdict = await client_verdict(prism_url, "signup", kwargs)
    assert verdict == ("sent, Prism 201" if valid else "refused")


# --------------------------------------------------------------------------- credentials


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("credentials", "scheme"),
    [
        pytest.param(BASIC, "Basic", id="api_key"),
        pytest.param({"bearer_token": BEARER}, "Bearer", id="bearer_token"),
    ],
)
@pytest.mark.parametrize("method", METHODS)
async def test_both_auth_styles_are_accepted(
    prism_url: str, mode: str, method: str, credentials: dict[str, str], scheme: str
) -> None:
    response = await invoke(mode, prism_url, method, client_kwargs=credentials, **args_for(method))
    assert_clean_201(response)
    assert response.http_response.request.headers["Authorization"].startswith(scheme + " ")


@pytest.mark.parametrize("method", METHODS)
def test_prism_answers_401_without_credentials(prism_url: str, method: str) -> None:
    path = {
        "signup": SIGNUP_PATH,
        "activate_signup": SIGNUP_PATH + "/activate",
        "signup_partner_v2_link": SIGNUP_PATH + "/link",
    }[method]
    body = json.loads(json.dumps(args_for(method)))  # dict style: plain JSON already
    # The same body with credentials is fine; without the Authorization header it is 401.
    assert raw_post(prism_url, path, body).status_code == 201
    response = raw_post(prism_url, path, body, auth=False)
    assert "authorization" not in response.request.headers
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "unauthenticated"
    assert any(v["code"] == 401 for v in violations(response))


# --------------------------------------------------------------------------- error statuses


def assert_error_details(exc: APIStatusError, status: int, code: str) -> None:
    assert exc.status_code == status
    assert exc.request_id is not None
    assert exc.request_id == exc.response.headers["X-Request-Id"]
    assert len(exc.errors) == 1
    error = exc.errors[0]
    assert isinstance(error, models.Error)
    assert error.status == str(status)
    assert error.code == code
    assert error.id and error.title and error.detail
    assert isinstance(exc.body, models.Failure)
    assert exc.body.errors == exc.errors


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "error_class", "code"),
    [
        pytest.param(400, BadRequestError, "invalid_body", id="400"),
        pytest.param(401, AuthenticationError, "unauthenticated", id="401"),
        pytest.param(403, PermissionDeniedError, "forbidden", id="403"),
        pytest.param(409, ConflictError, "already_exists", id="409"),
        pytest.param(500, InternalServerError, "internal_error", id="500"),
    ],
)
@pytest.mark.parametrize("method", METHODS)
async def test_error_statuses_raise_typed_errors_without_retrying(
    prism_url: str,
    mode: str,
    method: str,
    status: int,
    error_class: type[APIStatusError],
    code: str,
    retry_waits: list[float],
) -> None:
    counter = Counter()
    with pytest.raises(error_class) as info:
        await invoke(
            mode,
            prism_url,
            method,
            counter=counter,
            extra_headers={"Prefer": f"code={status}"},
            **args_for(method),
        )
    assert type(info.value) is error_class
    assert "sl-violations" not in info.value.response.headers  # the request itself was valid
    assert_error_details(info.value, status, code)
    assert retry_waits == []  # a 500 on a POST may have done the work: never retried
    assert len(counter.requests) == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("method", METHODS)
async def test_429_is_retried_then_raises_rate_limit_error(
    prism_url: str, mode: str, method: str, retry_waits: list[float]
) -> None:
    counter = Counter()
    with pytest.raises(RateLimitError) as info:
        await invoke(
            mode,
            prism_url,
            method,
            counter=counter,
            extra_headers={"Prefer": "code=429"},
            **args_for(method),
        )
    assert_error_details(info.value, 429, "rate_limited")
    assert len(retry_waits) == 2  # DEFAULT_MAX_RETRIES
    assert len(counter.requests) == 3
    # Prism's headers: Retry-After "string" (unusable) and X-RateLimit-Reset 0 -> 0 s.
    assert info.value.response.headers["x-ratelimit-reset"] == "0"
    assert retry_waits == [0.0, 0.0]


@pytest.mark.asyncio
@pytest.mark.parametrize("where", ["per-call", "client"])
async def test_429_with_max_retries_zero_is_not_retried(
    prism_url: str, mode: str, where: str, retry_waits: list[float]
) -> None:
    counter = Counter()
    kwargs = args_for("signup")
    client_kwargs = dict(BASIC)
    if where == "per-call":
        kwargs["max_retries"] = 0
    else:
        client_kwargs["max_retries"] = 0
    with pytest.raises(RateLimitError) as info:
        await invoke(
            mode,
            prism_url,
            "signup",
            counter=counter,
            client_kwargs=client_kwargs,
            extra_headers={"Prefer": "code=429"},
            **kwargs,
        )
    assert_error_details(info.value, 429, "rate_limited")
    assert retry_waits == []
    assert len(counter.requests) == 1


# --------------------------------------------------------------------------- per-call options


@pytest.mark.asyncio
async def test_extra_query_reaches_prism(prism_url: str, mode: str) -> None:
    response = await invoke(
        mode,
        prism_url,
        "signup",
        extra_query={"trace": "abc-123"},
        dry_run=True,
        **args_for("signup"),
    )
    assert_clean_201(response)
    params = response.http_response.request.url.params
    assert params.get_list("trace") == ["abc-123"]
    assert params.get_list("dry_run") == ["true"]


@pytest.mark.asyncio
async def test_extra_query_is_sent_unvalidated_and_prism_checks_it(
    prism_url: str, mode: str
) -> None:
    # extra_query bypasses the client's parameter validation; Prism proves it arrived.
    with pytest.raises(BadRequestError) as info:
        await invoke(
            mode,
            prism_url,
            "signup",
            raw=False,
            extra_query={"dry_run": "maybe"},
            **args_for("signup"),
        )
    found = violations(info.value.response)
    assert any(v["location"] == ["request", "query", "dry_run"] for v in found), found


@pytest.mark.asyncio
async def test_per_call_timeout_is_used_for_the_request(prism_url: str, mode: str) -> None:
    response = await invoke(
        mode,
        prism_url,
        "signup",
        client_kwargs={**BASIC, "timeout": 30.0},
        timeout=httpx.Timeout(7.5, connect=2.5),
        **args_for("signup"),
    )
    assert_clean_201(response)
    assert response.http_response.request.extensions["timeout"] == {
        "connect": 2.5,
        "read": 7.5,
        "write": 7.5,
        "pool": 7.5,
    }


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback port that accepts connections (kernel backlog) but never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        host, port = sock.getsockname()
        yield f"http://{host}:{port}"


@pytest.mark.asyncio
async def test_per_call_timeout_overrides_the_client_default(
    silent_server: str, mode: str, retry_waits: list[float]
) -> None:
    # The client's default is 30 s; the call's 0.3 s must be the one that expires.
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        await invoke(
            mode,
            silent_server,
            "signup",
            client_kwargs={**BASIC, "timeout": 30.0},
            timeout=0.3,
            **args_for("signup"),
        )
    assert time.monotonic() - started < 5.0
    assert retry_waits == []  # a read timeout on a POST is never retried
