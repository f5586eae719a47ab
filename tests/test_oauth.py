"""OAuth 2.0 client credentials: the generated client against a token endpoint on 127.0.0.1.

``tests/token_server.py`` serves ``/oauth2/token`` and the partner paths on one loopback port,
so the spec's relative token URL resolves against the client's base URL as it would against
``https://api.confluent.cloud``. Every behaviour is checked with the blocking and the asyncio
client; a MockTransport test pins the exact token request, and a Prism test shows the token
reaching a server that checks the spec's security.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from confluent_partner_v2 import (
    AsyncPartnerClient,
    AuthenticationError,
    ClientCredentialsAuth,
    PartnerClient,
)
from token_server import CLIENT_ID, CLIENT_SECRET, TokenServer, running_token_server

USER = {"email": "ops@acme.example", "given_name": "Ada", "family_name": "Lovelace"}
ENV_VARS = (
    "CONFLUENT_CLOUD_API_KEY",
    "CONFLUENT_CLOUD_API_SECRET",
    "CONFLUENT_CLOUD_BEARER_TOKEN",
    "CONFLUENT_CLOUD_CLIENT_ID",
    "CONFLUENT_CLOUD_CLIENT_SECRET",
)


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def server() -> Iterator[TokenServer]:
    with running_token_server() as state:
        yield state


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


async def activate(mode: str, server: TokenServer, count: int = 1, **client_kwargs: Any) -> list[Any]:
    """``count`` activate_signup calls at once (threads or tasks), by one client."""
    kwargs: dict[str, Any] = {"base_url": server.url, "max_retries": 0, **client_kwargs}
    if not {"auth", "api_key"} & set(kwargs):
        kwargs.setdefault("client_id", CLIENT_ID)
        kwargs.setdefault("client_secret", CLIENT_SECRET)
    if mode == "sync":
        results: list[Any] = [None] * count
        with PartnerClient(**kwargs) as client:

            def call(index: int) -> None:
                try:
                    results[index] = client.signups.activate_signup(user=USER, organization_id="o-1")
                except Exception as exc:
                    results[index] = exc

            threads = [threading.Thread(target=call, args=(i,)) for i in range(count)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        for result in results:
            if isinstance(result, Exception):
                raise result
        return results
    async with AsyncPartnerClient(**kwargs) as aclient:
        calls = [aclient.signups.activate_signup(user=USER, organization_id="o-1") for _ in range(count)]
        return list(await asyncio.gather(*calls))


async def activate_raising(mode: str, server: TokenServer, **client_kwargs: Any) -> BaseException:
    try:
        await activate(mode, server, **client_kwargs)
    except Exception as exc:
        return exc
    raise AssertionError("the call did not raise")


@pytest.mark.asyncio
async def test_token_fetched_once_and_reused(mode: str, server: TokenServer) -> None:
    auth = ClientCredentialsAuth(CLIENT_ID, CLIENT_SECRET, token_url="/oauth2/token", scopes=["partner:create"])
    for _ in range(3):
        [result] = await activate(mode, server, auth=auth)
        assert result.organization_id == "org-1"
    assert server.tokens_issued == 1 and auth.tokens_fetched == 1
    assert server.api_calls == ["Bearer access-token-1"] * 3
    assert server.grants[0] == {"grant_type": ["client_credentials"], "scope": ["partner:create"]}


@pytest.mark.asyncio
async def test_generated_client_requests_the_scopes_the_spec_requires(mode: str, server: TokenServer) -> None:
    [result] = await activate(mode, server)  # client_id/client_secret: the spec's flow
    assert result.organization_id == "org-1"
    assert server.grants == [{"grant_type": ["client_credentials"], "scope": ["partner:create"]}]


@pytest.mark.asyncio
async def test_token_refreshed_shortly_before_it_expires(mode: str, server: TokenServer) -> None:
    now = [1000.0]
    auth = ClientCredentialsAuth(CLIENT_ID, CLIENT_SECRET, token_url="/oauth2/token", clock=lambda: now[0])
    server.expires_in = 300  # refreshed 30 s early
    await activate(mode, server, auth=auth)
    now[0] += 269
    await activate(mode, server, auth=auth)
    assert server.tokens_issued == 1
    now[0] += 2  # 271 s: within the last 30 s
    await activate(mode, server, auth=auth)
    assert server.tokens_issued == 2
    assert server.api_calls == ["Bearer access-token-1", "Bearer access-token-1", "Bearer access-token-2"]


@pytest.mark.asyncio
async def test_short_lived_token_expires_in_real_time(mode: str, server: TokenServer) -> None:
    server.expires_in = 1  # kept for 0.9 s
    auth = ClientCredentialsAuth(CLIENT_ID, CLIENT_SECRET, token_url="/oauth2/token")
    await activate(mode, server, auth=auth)
    await asyncio.sleep(1.0)
    await activate(mode, server, auth=auth)
    assert server.tokens_issued == 2


@pytest.mark.asyncio
async def test_a_401_gets_one_retry_with_a_fresh_token(mode: str, server: TokenServer) -> None:
    auth = ClientCredentialsAuth(CLIENT_ID, CLIENT_SECRET, token_url="/oauth2/token")
    await activate(mode, server, auth=auth)
    server.revoke()  # e.g. the key was rotated: the cached token is refused
    [result] = await activate(mode, server, auth=auth)
    assert result.organization_id == "org-1"
    assert server.api_calls == ["Bearer access-token-1", "Bearer access-token-1", "Bearer access-token-2"]


@pytest.mark.asyncio
async def test_a_second_401_is_raised_not_retried_again(mode: str, server: TokenServer) -> None:
    auth = ClientCredentialsAuth(CLIENT_ID, CLIENT_SECRET, token_url="/oauth2/token")
    refusal = (401, {"errors": [{"code": "unauthenticated"}]})
    server.call = lambda authorization: (server.api_calls.append(authorization), refusal)[1]  # type: ignore[method-assign]
    error = await activate_raising(mode, server, auth=auth)
    assert isinstance(error, AuthenticationError) and error.status_code == 401
    assert len(server.api_calls) == 2 and server.tokens_issued == 2


@pytest.mark.asyncio
async def test_concurrent_callers_share_one_token_request(mode: str, server: TokenServer) -> None:
    server.token_delay = 0.3  # every caller needs the token while the first request is out
    auth = ClientCredentialsAuth(CLIENT_ID, CLIENT_SECRET, token_url="/oauth2/token")
    results = await activate(mode, server, count=8, auth=auth)
    assert [r.organization_id for r in results] == ["org-1"] * 8
    assert server.tokens_issued == 1
    assert server.api_calls == ["Bearer access-token-1"] * 8


@pytest.mark.asyncio
async def test_concurrent_callers_after_expiry_share_one_refresh(mode: str, server: TokenServer) -> None:
    now = [0.0]
    auth = ClientCredentialsAuth(CLIENT_ID, CLIENT_SECRET, token_url="/oauth2/token", clock=lambda: now[0])
    await activate(mode, server, auth=auth)
    now[0] += 4000  # past expires_in=3600
    server.token_delay = 0.3
    await activate(mode, server, count=6, auth=auth)
    assert server.tokens_issued == 2
    assert server.api_calls[1:] == ["Bearer access-token-2"] * 6


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        pytest.param((401, {"error": "invalid_client"}), "401 Unauthorized (invalid_client)", id="refused"),
        pytest.param((400, {"error": "invalid_scope", "error_description": "no such scope"}), "(invalid_scope: no such scope)", id="bad-scope"),
        pytest.param((500, b"<html>oops</html>"), "500 Internal Server Error", id="server-error"),
        pytest.param((200, {"token_type": "Bearer"}), "no access_token", id="no-token"),
    ],
)
async def test_failing_token_endpoint_raises_authentication_error(
    mode: str, server: TokenServer, failure: tuple[int, Any], expected: str
) -> None:
    server.token_failure = failure
    error = await activate_raising(mode, server)
    assert isinstance(error, AuthenticationError)
    assert str(error).startswith(f"token request to {server.url}/oauth2/token failed: ")
    assert expected in str(error)
    assert server.api_calls == []  # nothing was sent without a token
    assert CLIENT_SECRET not in str(error) and CLIENT_SECRET not in repr(error.body)


@pytest.mark.asyncio
async def test_wrong_secret_is_refused_clearly(mode: str, server: TokenServer) -> None:
    error = await activate_raising(mode, server, client_secret="not-the-secret")
    assert isinstance(error, AuthenticationError) and "invalid_client" in str(error)
    assert "not-the-secret" not in str(error)


@pytest.mark.asyncio
async def test_secret_and_tokens_never_shown(
    mode: str, server: TokenServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    auth = ClientCredentialsAuth(CLIENT_ID, CLIENT_SECRET, token_url="/oauth2/token")
    await activate(mode, server, auth=auth)
    server.revoke()
    await activate(mode, server, auth=auth)
    client = PartnerClient(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, base_url=server.url)
    shown = "\n".join([repr(auth), str(auth.__dict__.get("client_id")), repr(client), repr(client._auth), caplog.text])
    assert "fetched an access token" in caplog.text  # the log was on
    for secret in (CLIENT_SECRET, "access-token-1", "access-token-2"):
        assert secret not in shown
    client.close()


@pytest.mark.asyncio
async def test_credentials_from_the_environment(
    mode: str, server: TokenServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFLUENT_CLOUD_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("CONFLUENT_CLOUD_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("CONFLUENT_CLOUD_BEARER_TOKEN", "ignored: the client pair comes first")
    [result] = await activate(mode, server, client_id=None, client_secret=None)
    assert result.organization_id == "org-1" and server.tokens_issued == 1


def test_api_key_from_the_environment_comes_before_the_oauth_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLUENT_CLOUD_API_KEY", "k")
    monkeypatch.setenv("CONFLUENT_CLOUD_API_SECRET", "s")
    monkeypatch.setenv("CONFLUENT_CLOUD_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("CONFLUENT_CLOUD_CLIENT_SECRET", CLIENT_SECRET)
    assert isinstance(PartnerClient()._auth, httpx.BasicAuth)


def test_one_kind_of_credentials_at_a_time() -> None:
    with pytest.raises(ValueError, match="client_id/client_secret or auth, not both"):
        PartnerClient(client_id="a", client_secret="b", auth=httpx.BasicAuth("u", "p"))
    with pytest.raises(ValueError, match="api_key/api_secret or client_id/client_secret"):
        PartnerClient(api_key="a", api_secret="b", client_id="c", client_secret="d")
    with pytest.raises(ValueError, match=r"no credentials: .*client_id and client_secret.*CONFLUENT_CLOUD_CLIENT_ID"):
        PartnerClient(client_id="only-the-id")


@pytest.mark.asyncio
async def test_any_httpx_auth_can_be_passed(mode: str, server: TokenServer) -> None:
    class Fixed(httpx.Auth):
        def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
            request.headers["Authorization"] = "Bearer access-token-1"
            yield request

    server.current = "access-token-1"
    [result] = await activate(mode, server, auth=Fixed())
    assert result.organization_id == "org-1" and server.tokens_issued == 0


@pytest.mark.asyncio
async def test_token_exchange_on_the_wire_with_mock_transport(mode: str) -> None:
    """The exact token request: POST form, client_secret_basic, then the bearer token."""
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        if request.url.path == "/oauth2/token":
            return httpx.Response(200, json={"access_token": "mock-token", "expires_in": 60})
        return httpx.Response(201, json={"organization_id": "o", "sso_url": "https://x.example/s"})

    kwargs: dict[str, Any] = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "base_url": "http://127.0.0.1:9"}
    if mode == "sync":
        with PartnerClient(**kwargs, http_client=httpx.Client(transport=httpx.MockTransport(handler))) as client:
            client.signups.activate_signup(user=USER, organization_id="o-1")
            client.signups.activate_signup(user=USER, organization_id="o-1")
    else:
        transport = httpx.MockTransport(handler)
        async with AsyncPartnerClient(**kwargs, http_client=httpx.AsyncClient(transport=transport)) as aclient:
            await aclient.signups.activate_signup(user=USER, organization_id="o-1")
            await aclient.signups.activate_signup(user=USER, organization_id="o-1")
    token, first, second = sent
    assert (token.method, str(token.url)) == ("POST", "http://127.0.0.1:9/oauth2/token")
    assert token.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert token.content == b"grant_type=client_credentials&scope=partner%3Acreate"
    assert token.headers["Authorization"] == "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert first.headers["Authorization"] == second.headers["Authorization"] == "Bearer mock-token"


@pytest.mark.asyncio
async def test_token_reaches_prism(mode: str, prism_url: str, server: TokenServer) -> None:
    """Prism checks the spec's security: with the OAuth token the call is a clean 201."""
    auth = ClientCredentialsAuth(CLIENT_ID, CLIENT_SECRET, token_url=server.url + "/oauth2/token")
    kwargs: dict[str, Any] = {"auth": auth, "base_url": prism_url, "max_retries": 0}
    if mode == "sync":
        with PartnerClient(**kwargs) as client:
            raw = client.signups.with_raw_response.activate_signup(user=USER, organization_id="o-1")
    else:
        async with AsyncPartnerClient(**kwargs) as aclient:
            raw = await aclient.signups.with_raw_response.activate_signup(user=USER, organization_id="o-1")
    assert raw.status_code == 201 and "sl-violations" not in raw.headers
    assert raw.http_response.request.headers["Authorization"] == "Bearer access-token-1"
    assert raw.parse().organization_id == "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    assert server.tokens_issued == 1


def test_the_spec_declares_the_client_credentials_flow() -> None:
    import yaml
    from prism import REPO_ROOT, SPEC

    spec = yaml.safe_load((REPO_ROOT / SPEC).read_text())
    scheme = spec["components"]["securitySchemes"]["oauth"]
    assert scheme["type"] == "oauth2"
    assert scheme["flows"]["clientCredentials"]["tokenUrl"] == "/oauth2/token"
    assert {"partner:create", "partner:describe"} <= set(scheme["flows"]["clientCredentials"]["scopes"])
    for item in spec["paths"].values():
        assert {"oauth": ["partner:create"]} in item["post"]["security"]


def test_timestamps_use_a_monotonic_clock() -> None:
    auth = ClientCredentialsAuth(CLIENT_ID, CLIENT_SECRET, token_url="/t")
    assert auth._clock is time.monotonic  # wall-clock jumps do not expire or extend tokens
