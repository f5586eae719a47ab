"""When to send a request again, and how long to wait first.

Signup, activate and link are not idempotent: sending one twice may create two organizations.
So a request is retried only when it cannot have been processed:

* the connection was never made (connect error or timeout, no free connection in the pool), or
* the server said it did not process it: 429 Too Many Requests, 503 Service Unavailable.

Idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE, TRACE) are also retried after 502/504 and
after failures once the request was on its way (read timeout, dropped connection). A 500, or a
read timeout on a POST, is never retried: the server may have done the work.

The wait doubles from 0.5 s up to 8 s, less up to a quarter at random (so that many clients do
not retry in step), unless the server says how long: ``Retry-After`` (seconds or an HTTP date)
or ``X-RateLimit-Reset`` (seconds until the window resets), capped at 60 s.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Awaitable, Callable, Mapping

import httpx

__all__ = ["DEFAULT_MAX_RETRIES", "retry_delay", "should_retry_error", "should_retry_status"]

DEFAULT_MAX_RETRIES = 2
INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
MAX_SERVER_DELAY = 60.0
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
NOT_PROCESSED = frozenset({429, 503})
GATEWAY_ERRORS = frozenset({502, 504})


async def _asyncio_sleep(seconds: float) -> None:
    """``asyncio.sleep``, imported when an async client first waits: a blocking client's
    process never pays for importing asyncio."""
    import asyncio

    await asyncio.sleep(seconds)


# Indirections so tests can run with a fake clock and no real waiting.
sleep: Callable[[float], None] = time.sleep
async_sleep: Callable[[float], Awaitable[None]] = _asyncio_sleep
uniform: Callable[[], float] = random.random


def should_retry_status(method: str, status_code: int) -> bool:
    if status_code in NOT_PROCESSED:
        return True
    return status_code in GATEWAY_ERRORS and method.upper() in IDEMPOTENT_METHODS


def should_retry_error(method: str, error: Exception) -> bool:
    if isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return True  # nothing reached the server
    return isinstance(error, httpx.TransportError) and method.upper() in IDEMPOTENT_METHODS


def retry_delay(
    attempt: int, headers: Mapping[str, str] | None = None, *, now: float | None = None
) -> float:
    """Seconds to wait before retry number ``attempt + 1`` (``attempt`` counts from 0)."""
    told = server_delay(headers, now=time.time() if now is None else now) if headers else None
    if told is not None:
        return min(told, MAX_SERVER_DELAY)
    base = min(INITIAL_DELAY * (1 << min(attempt, 16)), MAX_DELAY)
    return base * (1.0 - 0.25 * uniform())


def server_delay(headers: Mapping[str, str], *, now: float) -> float | None:
    """What ``Retry-After`` or ``X-RateLimit-Reset`` asks for, if either is usable."""
    retry_after = headers.get("retry-after")
    if retry_after:
        try:
            seconds = float(retry_after)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(retry_after)
            except (TypeError, ValueError, IndexError):
                when = None
            seconds = when.timestamp() - now if when is not None else -1.0
        if seconds >= 0:
            return seconds
    reset = headers.get("x-ratelimit-reset")
    if reset:
        try:
            seconds = float(reset)
        except ValueError:
            return None
        if seconds >= 0:
            return seconds
    return None
