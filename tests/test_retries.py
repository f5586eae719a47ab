"""Retries: what is retried, how often, and how long the client waits (no real sleeping:
the autouse ``retry_waits`` fixture records the waits)."""

from __future__ import annotations

import email.utils
from collections.abc import Callable

import httpx
import pytest
from confluent_partner_v2 import (
    APIConnectionError,
    APITimeoutError,
    AsyncPartnerClient,
    InternalServerError,
    PartnerClient,
    RateLimitError,
    _retries,
)

BASE = "http://127.0.0.1:9"
OK = {"organization_id": "org-1", "sso_url": "https://sso.example/x"}
ARGS = {"user": {"email": "a@b.example", "given_name": "A", "family_name": "B"}, "organization_id": "org-1"}


def scripted(*steps: int | type[Exception], headers: dict[str, str] | None = None) -> tuple[list[httpx.Request], Callable[[httpx.Request], httpx.Response]]:
    """A handler answering each attempt with the next status (or raising the next error)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        step = steps[min(len(seen), len(steps) - 1)]
        seen.append(request)
        if isinstance(step, type):
            raise step("scripted failure", request=request)  # type: ignore[call-arg]
        if step == 201:
            return httpx.Response(201, json=OK)
        return httpx.Response(step, json={"errors": [{"status": str(step)}]}, headers=headers or {})

    return seen, handler


def client(handler: Callable[[httpx.Request], httpx.Response], **kwargs: object) -> PartnerClient:
    return PartnerClient(api_key="k", api_secret="s", base_url=BASE, http_client=httpx.Client(transport=httpx.MockTransport(handler)), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("status", [429, 503])
def test_not_processed_statuses_are_retried_until_success(status: int, retry_waits: list[float]) -> None:
    seen, handler = scripted(status, status, 201)
    result = client(handler).signups.activate_signup(**ARGS)
    assert result.organization_id == "org-1"
    assert len(seen) == 3 and len(retry_waits) == 2


@pytest.mark.parametrize("status", [500, 502, 504, 400, 409])
def test_a_post_that_may_have_been_processed_is_not_retried(status: int, retry_waits: list[float]) -> None:
    seen, handler = scripted(status, 201)
    with pytest.raises(Exception) as caught:
        client(handler).signups.activate_signup(**ARGS)
    assert getattr(caught.value, "status_code", None) == status
    assert len(seen) == 1 and retry_waits == []


def test_retries_are_exhausted_then_the_error_raises(retry_waits: list[float]) -> None:
    seen, handler = scripted(429)
    with pytest.raises(RateLimitError):
        client(handler).signups.activate_signup(**ARGS)
    assert len(seen) == 3  # the default max_retries is 2
    with pytest.raises(RateLimitError):
        client(handler, max_retries=5).signups.activate_signup(**ARGS)
    assert len(seen) == 3 + 6
    with pytest.raises(RateLimitError):
        client(handler, max_retries=5).signups.activate_signup(**ARGS, max_retries=0)
    assert len(seen) == 3 + 6 + 1


def test_connection_never_made_is_retried(retry_waits: list[float]) -> None:
    seen, handler = scripted(httpx.ConnectError, httpx.ConnectTimeout, 201)
    assert client(handler).signups.activate_signup(**ARGS).organization_id == "org-1"
    assert len(seen) == 3


@pytest.mark.parametrize("error", [httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError])
def test_failure_after_sending_a_post_is_not_retried(error: type[Exception], retry_waits: list[float]) -> None:
    seen, handler = scripted(error, 201)
    expected = APITimeoutError if issubclass(error, httpx.TimeoutException) else APIConnectionError
    with pytest.raises(expected):
        client(handler).signups.activate_signup(**ARGS)
    assert len(seen) == 1


def test_backoff_doubles_with_jitter_and_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_retries, "uniform", lambda: 0.0)
    assert [_retries.retry_delay(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    monkeypatch.setattr(_retries, "uniform", lambda: 1.0)
    assert [_retries.retry_delay(n) for n in range(3)] == [0.375, 0.75, 1.5]


def test_server_told_waits_win_and_are_capped() -> None:
    now = 1_800_000_000.0
    assert _retries.retry_delay(0, {"retry-after": "7"}, now=now) == 7.0
    date = email.utils.formatdate(now + 12, usegmt=True)
    assert _retries.retry_delay(0, {"retry-after": date}, now=now) == pytest.approx(12.0)
    assert _retries.retry_delay(0, {"x-ratelimit-reset": "3"}, now=now) == 3.0
    assert _retries.retry_delay(0, {"retry-after": "2", "x-ratelimit-reset": "30"}, now=now) == 2.0
    assert _retries.retry_delay(0, {"retry-after": "3600"}, now=now) == 60.0
    assert 0.375 <= _retries.retry_delay(0, {"retry-after": "soon"}, now=now) <= 0.5  # unusable: backoff


def test_the_client_waits_what_the_server_says(retry_waits: list[float]) -> None:
    seen, handler = scripted(429, 429, 201, headers={"Retry-After": "4", "X-RateLimit-Reset": "9"})
    client(handler).signups.activate_signup(**ARGS)
    assert retry_waits == [4.0, 4.0] and len(seen) == 3
    seen, handler = scripted(429, 201, headers={"X-RateLimit-Reset": "9"})
    client(handler).signups.activate_signup(**ARGS)
    assert retry_waits[-1] == 9.0 and len(seen) == 2


def test_idempotent_methods_retry_gateway_errors_and_dropped_connections() -> None:
    assert _retries.should_retry_status("GET", 502) and _retries.should_retry_status("DELETE", 504)
    assert not _retries.should_retry_status("POST", 502) and not _retries.should_retry_status("PATCH", 504)
    assert not _retries.should_retry_status("GET", 500)
    request = httpx.Request("GET", BASE)
    assert _retries.should_retry_error("GET", httpx.ReadTimeout("t", request=request))
    assert not _retries.should_retry_error("POST", httpx.ReadTimeout("t", request=request))
    assert _retries.should_retry_error("POST", httpx.PoolTimeout("t", request=request))


@pytest.mark.asyncio
async def test_async_client_retries_the_same_way(retry_waits: list[float]) -> None:
    seen, handler = scripted(503, httpx.ConnectError, 201)
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        aclient = AsyncPartnerClient(api_key="k", api_secret="s", base_url=BASE, http_client=http)
        assert (await aclient.signups.activate_signup(**ARGS)).organization_id == "org-1"
        seen.clear()
        with pytest.raises(InternalServerError):
            await aclient.signups.activate_signup(**ARGS, max_retries=0)
    assert len(retry_waits) == 2 and len(seen) == 1


def test_negative_max_retries_is_refused() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        PartnerClient(api_key="k", api_secret="s", max_retries=-1)
