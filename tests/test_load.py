"""500 concurrent calls through one ``AsyncPartnerClient``.

Against Prism: every call succeeds with 201 and no ``sl-violations``. Against a small asyncio
HTTP/1.1 server started inside the test (``CountingServer``, 127.0.0.1 only): the connection
pool limit holds, i.e. no more than ``max_connections`` connections are ever opened or open at
once, however many calls are in flight. ``bench/load.py`` reuses ``CountingServer`` and
``run_load`` to print throughput and latency figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any, Self

import httpx
import pytest
from confluent_partner_v2 import APIResponse, AsyncPartnerClient, models

API_KEY = "KEY-4f1c2a"
API_SECRET = "SECRET-9d8e7f6a5b4c"
CALLS = 500
LIMIT = 20
DEADLINE = 25.0  # seconds for a whole scenario; the test fails rather than hang

SIGNUP_ARGS: dict[str, Any] = {
    "organization": {
        "name": "Acme Corp",
        "sso_config": {
            "kind": "AzureSSOConfig",
            "tenant_id": "b3a1c2d4-0000-4000-8000-0123456789ab",
        },
    },
    "entitlement": {
        "external_id": "1111-2222",
        "name": "Acme Prod",
        "plan_id": "confluent-cloud-payg-prod",
        "product_id": "confluent-cloud-kafka-service-azure",
    },
    "user": {"email": "ops@acme.example", "given_name": "Ada", "family_name": "Lovelace"},
}
EXPECTED_TARGET = "/partner/v2/signup?dry_run=true"
SERVER_ORG_ID = "org-counting-server"
SERVER_BODY = json.dumps(
    {
        "organization_id": SERVER_ORG_ID,
        "sso_url": "https://confluent.cloud/login/sso/counting-server",
        "display_message": "ok",
    }
).encode()


# --------------------------------------------------------------------------- the counting server


class CountingServer:
    """A minimal HTTP/1.1 keep-alive server on 127.0.0.1 that answers every request with 201.

    It counts accepted connections, the most open at once, requests, and the most requests
    being handled at once; requests that are not the expected signup call are recorded in
    ``problems``. Use as ``async with CountingServer() as server: ... server.url``.
    """

    def __init__(self, *, delay: float = 0.002, expected_target: str = EXPECTED_TARGET) -> None:
        self.delay = delay  # per request, so that concurrent calls really overlap
        self.expected_target = expected_target
        self.url = ""
        self.accepted = 0
        self.open = 0
        self.max_open = 0
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.problems: list[str] = []
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        host, port = self._server.sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self, grace: float = 2.0) -> None:
        """Stop listening; give open connections ``grace`` seconds to end, then close them."""
        if self._server is None:
            return
        self._server.close()
        await self._server.wait_closed()
        self._server = None
        if self._handlers:
            _, pending = await asyncio.wait(set(self._handlers), timeout=grace)
            for writer in list(self._writers):
                writer.close()
            if pending:
                await asyncio.wait(pending, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self._writers.add(writer)
        self.accepted += 1
        self.open += 1
        self.max_open = max(self.max_open, self.open)
        try:
            while await self._serve_one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self.open -= 1
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
            self._handlers.discard(task)

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Read one request and answer it; False when the connection is done."""
        request_line = await reader.readline()
        if not request_line:
            return False  # the client closed an idle keep-alive connection
        headers: dict[str, str] = {}
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n"):
                break
            if not line:
                raise asyncio.IncompleteReadError(b"", None)
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        body = await reader.readexactly(length) if length else b""
        self.requests += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            self._check(request_line.decode("latin-1").strip(), headers, body)
            await asyncio.sleep(self.delay)
            keep_alive = headers.get("connection", "").lower() != "close"
            head = (
                "HTTP/1.1 201 Created\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {len(SERVER_BODY)}\r\n"
                f"X-Request-Id: req-{self.requests}\r\n"
                f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n"
                "\r\n"
            )
            writer.write(head.encode("latin-1") + SERVER_BODY)
            await writer.drain()
        finally:
            self.in_flight -= 1
        return keep_alive

    def _check(self, request_line: str, headers: dict[str, str], body: bytes) -> None:
        problems = []
        if request_line != f"POST {self.expected_target} HTTP/1.1":
            problems.append(f"request line {request_line!r}")
        if not headers.get("authorization", "").startswith("Basic "):
            problems.append("no basic Authorization header")
        if headers.get("content-type") != "application/json":
            problems.append(f"content-type {headers.get('content-type')!r}")
        try:
            sent = json.loads(body)
        except ValueError:
            problems.append(f"body is not JSON: {body[:80]!r}")
        else:
            if sent != SIGNUP_ARGS:
                problems.append(f"body {sent!r}")
        if problems and len(self.problems) < 20:
            self.problems.append("; ".join(problems))


# --------------------------------------------------------------------------- the scenario


@dataclass
class LoadResult:
    calls: int
    wall: float
    latencies: list[float] = field(default_factory=list)
    responses: list[APIResponse[Any]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    @property
    def successes(self) -> int:
        return sum(1 for r in self.responses if r.status_code == 201)


async def run_load(
    base_url: str,
    *,
    calls: int = CALLS,
    http_client: httpx.AsyncClient | None = None,
    deadline: float = DEADLINE,
) -> LoadResult:
    """``calls`` concurrent ``signup(..., dry_run=True)`` through ONE ``AsyncPartnerClient``.

    The client is closed before returning (the ``http_client``, if given, stays open: it
    belongs to the caller). Each call is timed; exceptions are collected, not raised.
    """
    latencies: list[float] = []

    async def one(client: AsyncPartnerClient) -> APIResponse[Any]:
        started = time.perf_counter()
        try:
            return await client.signups.with_raw_response.signup(dry_run=True, **SIGNUP_ARGS)
        finally:
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    async with (
        asyncio.timeout(deadline),
        AsyncPartnerClient(
            api_key=API_KEY, api_secret=API_SECRET, base_url=base_url, http_client=http_client
        ) as client,
    ):
        outcomes = await asyncio.gather(
            *(one(client) for _ in range(calls)), return_exceptions=True
        )
    wall = time.perf_counter() - started
    result = LoadResult(calls=calls, wall=wall, latencies=latencies)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            result.errors.append(outcome)
        else:
            result.responses.append(outcome)
    return result


def limited_client(limit: int = LIMIT) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit)
    )


def assert_all_succeeded(result: LoadResult, organization_id: str) -> None:
    assert result.errors == [], f"{len(result.errors)} call(s) failed, first: {result.errors[0]!r}"
    assert len(result.responses) == result.calls
    assert result.successes == result.calls
    assert len(result.latencies) == result.calls
    for response in result.responses:
        assert "sl-violations" not in response.headers, response.headers["sl-violations"]
        body = response.parse()
        assert isinstance(body, models.PartnerSignupResponse)
        assert body.organization_id == organization_id


# --------------------------------------------------------------------------- against Prism


@pytest.mark.asyncio
@pytest.mark.parametrize("pool", ["shared-limit-20", "default-pool"])
async def test_500_concurrent_dry_run_signups_against_prism(
    prism_url: str, pool: str, retry_waits: list[float]
) -> None:
    if pool == "default-pool":
        result = await run_load(prism_url)
    else:
        async with limited_client() as http:
            result = await run_load(prism_url, http_client=http)
            assert not http.is_closed  # the client leaves a pool it was given to its owner
        assert http.is_closed
    assert_all_succeeded(result, "7c9e6679-7425-40de-944b-e07fc1f90ae7")
    assert retry_waits == []


# --------------------------------------------------------------------------- connections bounded


@pytest.mark.asyncio
async def test_500_concurrent_calls_never_use_more_than_20_connections(
    retry_waits: list[float],
) -> None:
    started = time.monotonic()
    async with CountingServer() as server:
        async with limited_client(LIMIT) as http:
            result = await run_load(server.url, http_client=http)
        # The pool is closed: every connection it opened has been closed by the client.
        await asyncio.wait_for(_until(lambda: server.open == 0), timeout=5.0)
    assert_all_succeeded(result, SERVER_ORG_ID)
    assert server.problems == []
    assert server.requests == CALLS  # one request per call: nothing retried, nothing lost
    assert retry_waits == []
    assert 1 <= server.accepted <= LIMIT, f"{server.accepted} connections opened"
    assert server.max_open <= LIMIT, f"{server.max_open} connections open at once"
    assert server.max_in_flight > 1  # the calls really were concurrent
    assert server.open == 0
    assert time.monotonic() - started < DEADLINE


@pytest.mark.asyncio
async def test_default_pool_is_bounded_by_httpx_default_limit() -> None:
    # Without an http_client the client creates httpx.AsyncClient(): max_connections=100,
    # max_keepalive_connections=20. Only the number open at once is bounded: httpcore 1.0.9
    # closes an idle connection whenever the pool holds more than 20 connections in total
    # (it compares max_keepalive_connections with len(all connections); encode/httpcore#1000),
    # so under this load nearly every call opens a new connection. Not asserted either way.
    async with CountingServer() as server:
        result = await run_load(server.url)
        await asyncio.wait_for(_until(lambda: server.open == 0), timeout=5.0)
    assert_all_succeeded(result, SERVER_ORG_ID)
    assert server.problems == []
    assert server.requests == CALLS
    assert server.max_open <= 100, f"{server.max_open} connections open at once"
    assert server.max_in_flight > LIMIT  # more than 20 at once: the bigger default pool was used


@pytest.mark.asyncio
async def test_counting_server_counts_connections() -> None:
    # The server's bookkeeping itself: 3 separate clients -> 3 connections, at most 1 open
    # at a time, and a keep-alive client reusing one connection for several requests.
    async with CountingServer(expected_target="/x") as server:
        for _ in range(3):
            async with httpx.AsyncClient() as http:
                await http.post(server.url + "/x", json={})
            await asyncio.wait_for(_until(lambda: server.open == 0), timeout=5.0)
        async with httpx.AsyncClient() as http:
            for _ in range(4):
                response = await http.post(server.url + "/x", json={})
                assert response.status_code == 201
    assert server.accepted == 4
    assert server.max_open == 1
    assert server.requests == 7


async def _until(condition: Any, interval: float = 0.01) -> None:
    while not condition():
        await asyncio.sleep(interval)
