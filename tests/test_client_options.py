"""Per-call options, raw responses, client copies, timeouts and the User-Agent."""

from __future__ import annotations

import confluent_partner_v2
import httpx
import pytest
from confluent_partner_v2 import APIResponse, AsyncPartnerClient, PartnerClient, models
from confluent_partner_v2._base_client import DEFAULT_TIMEOUT

BASE = "http://127.0.0.1:9"
ARGS = {"user": {"email": "a@b.example", "given_name": "A", "family_name": "B"}, "organization_id": "org-1"}


class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(
            201,
            json={"organization_id": "org-1", "sso_url": "https://sso.example/x"},
            headers={"X-Request-Id": "rid-7", "Location": "https://api.example/o/1"},
        )


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def client(recorder: Recorder) -> PartnerClient:
    return PartnerClient(api_key="k", api_secret="s", base_url=BASE, http_client=httpx.Client(transport=httpx.MockTransport(recorder)))


def test_raw_response_has_status_headers_and_parsed_body(client: PartnerClient) -> None:
    raw = client.signups.with_raw_response.activate_signup(**ARGS)
    assert isinstance(raw, APIResponse)
    assert raw.status_code == 201 and raw.request_id == "rid-7"
    assert raw.headers["location"] == "https://api.example/o/1"
    parsed = raw.parse()
    assert isinstance(parsed, models.PartnerSignupResponse) and parsed.organization_id == "org-1"
    assert raw.parse() is parsed  # parsed once
    # The plain method still returns the model: the raw mode does not leak out of the wrapper.
    assert isinstance(client.signups.activate_signup(**ARGS), models.PartnerSignupResponse)


@pytest.mark.asyncio
async def test_async_raw_response(recorder: Recorder) -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(recorder)) as http:
        aclient = AsyncPartnerClient(api_key="k", api_secret="s", base_url=BASE, http_client=http)
        raw = await aclient.signups.with_raw_response.activate_signup(**ARGS)
        assert raw.status_code == 201 and raw.parse().sso_url == "https://sso.example/x"
        assert isinstance(await aclient.signups.activate_signup(**ARGS), models.PartnerSignupResponse)


def test_with_options_copies_defaults_and_shares_the_pool(client: PartnerClient, recorder: Recorder) -> None:
    quick = client.with_options(timeout=1.5, max_retries=0)
    assert quick is not client and quick._client is client._client
    assert quick.timeout == 1.5 and quick.max_retries == 0
    assert client.timeout == DEFAULT_TIMEOUT and client.max_retries == 2
    quick.signups.activate_signup(**ARGS)
    assert recorder.requests[-1].extensions["timeout"] == httpx.Timeout(1.5).as_dict()
    client.signups.activate_signup(**ARGS)
    assert recorder.requests[-1].extensions["timeout"] == DEFAULT_TIMEOUT.as_dict()
    moved = client.with_options(base_url="http://127.0.0.1:10/")
    moved.signups.activate_signup(**ARGS)
    assert str(recorder.requests[-1].url) == "http://127.0.0.1:10/partner/v2/signup/activate"
    quick.close()  # a copy never closes the shared pool
    assert not client._client.is_closed


def test_per_call_options_override_client_defaults(client: PartnerClient, recorder: Recorder) -> None:
    client.signups.activate_signup(
        **ARGS, extra_headers={"X-Trace": "t-1"}, extra_query={"debug": "1"}, timeout=httpx.Timeout(3.0, connect=1.0)
    )
    sent = recorder.requests[-1]
    assert sent.headers["x-trace"] == "t-1" and sent.url.params["debug"] == "1"
    assert sent.extensions["timeout"] == {"connect": 1.0, "read": 3.0, "write": 3.0, "pool": 3.0}


def test_default_timeout_is_60_s_with_a_shorter_connect() -> None:
    assert DEFAULT_TIMEOUT.read == 60.0 and DEFAULT_TIMEOUT.connect is not None and DEFAULT_TIMEOUT.connect < 60.0


def test_user_agent_names_package_and_version(client: PartnerClient, recorder: Recorder) -> None:
    client.signups.activate_signup(**ARGS)
    agent = recorder.requests[-1].headers["user-agent"]
    assert agent.startswith(f"confluent-partner-v2/{confluent_partner_v2.__version__} ")


def test_context_managers_close_only_their_own_pool(recorder: Recorder) -> None:
    with PartnerClient(api_key="k", api_secret="s", base_url=BASE) as owned:
        pool = owned._client
    assert pool.is_closed
    shared = httpx.Client(transport=httpx.MockTransport(recorder))
    with PartnerClient(api_key="k", api_secret="s", base_url=BASE, http_client=shared):
        pass
    assert not shared.is_closed
    shared.close()
