"""Raw responses: status, headers and the parsed body together.

``client.<resource>.with_raw_response.<method>(...)`` takes the same arguments as the method
and returns an :class:`APIResponse` instead of the parsed body. Error statuses still raise.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Generator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, ParamSpec, TypeVar

import httpx

__all__ = ["APIResponse", "async_to_raw_response", "to_raw_response"]

P = ParamSpec("P")
R = TypeVar("R")

_WANT_RAW: ContextVar[bool] = ContextVar("want_raw_response", default=False)


class APIResponse(Generic[R]):
    """The HTTP response of a successful call, with the body parsed on demand."""

    def __init__(self, response: httpx.Response, parse: Callable[[], Any]) -> None:
        self.http_response = response
        self._parse = parse
        self._parsed: Any = _UNSET

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        request_id: str | None = self.http_response.headers.get("x-request-id")
        return request_id

    def parse(self) -> R:
        """The body as the method would have returned it (parsed once, then cached)."""
        if self._parsed is _UNSET:
            self._parsed = self._parse()
        parsed: R = self._parsed
        return parsed

    def __repr__(self) -> str:
        return f"<APIResponse [{self.status_code}] request_id={self.request_id!r}>"


_UNSET: Any = object()


def wants_raw() -> bool:
    return _WANT_RAW.get()


@contextmanager
def _raw() -> Generator[None, None, None]:
    token = _WANT_RAW.set(True)
    try:
        yield
    finally:
        _WANT_RAW.reset(token)


def to_raw_response(method: Callable[P, R]) -> Callable[P, APIResponse[R]]:
    """Wrap a sync method so it returns the :class:`APIResponse`."""

    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
        with _raw():
            result: Any = method(*args, **kwargs)
        response: APIResponse[R] = result
        return response

    return wrapped


def async_to_raw_response(
    method: Callable[P, Awaitable[R]],
) -> Callable[P, Awaitable[APIResponse[R]]]:
    """Wrap an async method so it returns the :class:`APIResponse`."""

    @functools.wraps(method)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
        with _raw():
            result: Any = await method(*args, **kwargs)
        response: APIResponse[R] = result
        return response

    return wrapped
