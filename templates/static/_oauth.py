"""OAuth 2.0 client credentials (RFC 6749, section 4.4): a bearer token fetched, cached, refreshed.

A fixed bearer token expires while a service runs. :class:`ClientCredentialsAuth` instead holds
the client ID and secret, asks the token endpoint for an access token on the first request,
reuses it until shortly before ``expires_in`` runs out, and then asks again. Callers that need
a token at the same moment share one token request (a lock per thread pool or event loop). A
request answered 401 is sent once more with a fresh token: the server refused it before doing
anything, so this cannot repeat an operation.

The token endpoint's URL may be relative: it is resolved against the URL of the request
(``/oauth2/token`` on the client's base URL). The client authenticates there with HTTP basic
(``client_secret_basic``). A refusal, or an answer without an ``access_token``, raises
:class:`AuthenticationError` naming the endpoint and the OAuth error code; the secret and the
tokens never appear in ``repr``, log records or exceptions.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import AsyncGenerator, Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any, cast

import httpx

from ._exceptions import AuthenticationError
from ._logs import logger

if TYPE_CHECKING:  # imported where an async client first needs a lock: blocking ones never do
    import asyncio

__all__ = ["ClientCredentialsAuth"]

_MAX_MARGIN = 30.0
"""Refresh this many seconds before the token expires (or after 90% of a shorter lifetime)."""


class ClientCredentialsAuth(httpx.Auth):
    """``Authorization: Bearer <token>`` with a token from the OAuth 2.0 client credentials grant."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        token_url: str,
        scopes: Sequence[str] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError("client_id and client_secret must not be empty")
        self.client_id = client_id
        self.token_url = token_url
        self.scopes = tuple(scopes)
        self._basic = httpx.BasicAuth(client_id, client_secret)
        self._clock = clock
        self._token: str | None = None
        self._expires_at: float | None = None
        self._thread_lock = threading.Lock()
        self._loop_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self.tokens_fetched = 0
        """How many token requests succeeded (one per expiry, not one per call)."""

    def __repr__(self) -> str:
        return (
            f"ClientCredentialsAuth(client_id={self.client_id!r}, client_secret='**********', "
            f"token_url={self.token_url!r})"
        )

    # ---------------------------------------------------------------- the token
    def _current(self) -> str | None:
        """The cached token, unless it is about to expire."""
        token = self._token
        if token is None or (self._expires_at is not None and self._clock() >= self._expires_at):
            return None
        return token

    def _discard(self, token: str) -> None:
        """Forget ``token`` (refused by the server), unless another caller replaced it already."""
        if self._token == token:
            self._token = None

    def _token_request(self, request: httpx.Request) -> httpx.Request:
        data = {"grant_type": "client_credentials"}
        if self.scopes:
            data["scope"] = " ".join(self.scopes)
        token_request = httpx.Request(
            "POST",
            request.url.join(self.token_url),
            data=data,
            headers={"Accept": "application/json"},
            extensions={"timeout": request.extensions.get("timeout", {})},
        )
        for prepared in self._basic.auth_flow(token_request):  # sets the Authorization header
            return prepared
        return token_request  # pragma: no cover - BasicAuth always yields the request

    def _store(self, response: httpx.Response) -> str:
        """Keep the token the endpoint answered with; :class:`AuthenticationError` if none."""
        body: Any
        try:
            body = response.json()
        except ValueError:
            body = None
        fields = cast("dict[str, object]", body) if isinstance(body, dict) else {}
        token = fields.get("access_token")
        if response.is_error or not isinstance(token, str) or not token:
            raise _token_error(response, body)
        lifetime = fields.get("expires_in")
        if isinstance(lifetime, (int, float)) and not isinstance(lifetime, bool) and lifetime > 0:
            self._expires_at = self._clock() + lifetime - min(_MAX_MARGIN, lifetime * 0.1)
        else:
            self._expires_at = None  # no lifetime given: used until the server refuses it
        self._token = token
        self.tokens_fetched += 1
        logger.debug("fetched an access token from %s", response.request.url)
        return token

    # ---------------------------------------------------------------- the flows
    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._current()
        if token is None:
            with self._thread_lock:  # one token request at a time; the others reuse its token
                token = self._current()
                if token is None:
                    answer = yield self._token_request(request)
                    answer.read()
                    token = self._store(answer)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        with self._thread_lock:
            self._discard(token)
            fresh = self._current()
            if fresh is None:
                answer = yield self._token_request(request)
                answer.read()
                fresh = self._store(answer)
        request.headers["Authorization"] = f"Bearer {fresh}"
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = self._current()
        if token is None:
            async with self._loop_lock():
                token = self._current()
                if token is None:
                    answer = yield self._token_request(request)
                    await answer.aread()
                    token = self._store(answer)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        async with self._loop_lock():
            self._discard(token)
            fresh = self._current()
            if fresh is None:
                answer = yield self._token_request(request)
                await answer.aread()
                fresh = self._store(answer)
        request.headers["Authorization"] = f"Bearer {fresh}"
        yield request

    def _loop_lock(self) -> asyncio.Lock:
        """One lock per event loop (an asyncio lock belongs to the loop that first waits on it)."""
        import asyncio

        loop = asyncio.get_running_loop()
        lock = self._loop_locks.get(loop)
        if lock is None:
            lock = self._loop_locks[loop] = asyncio.Lock()
        return lock


def _token_error(response: httpx.Response, body: Any) -> AuthenticationError:
    """A refusal by the token endpoint, with its OAuth error code (RFC 6749, section 5.2)."""
    details: list[str] = []
    if isinstance(body, dict):
        fields = cast("dict[str, object]", body)
        for key in ("error", "error_description"):
            value = fields.get(key)
            if isinstance(value, str) and value:
                details.append(value[:200])
    if response.is_error:
        what = f"{response.status_code} {response.reason_phrase or 'error'}"
    else:
        what = f"{response.status_code}, but the answer holds no access_token"
    message = f"token request to {response.request.url} failed: {what}"
    if details:
        message += f" ({': '.join(details)})"
    return AuthenticationError(message, response=response, body=body, errors=[])
