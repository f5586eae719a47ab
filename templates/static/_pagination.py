"""Walking every page of a list operation (Confluent style).

A page carries its items in ``data`` and, in ``metadata.next``, the URL of the next page,
whose ``page_token`` query parameter is passed to the next call. The walk stops when there is
no next URL, or when the server hands back a token it already gave (a guard against loops).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

__all__ = ["async_iterate_pages", "iterate_pages"]

T = TypeVar("T")


def next_token(page: Any, metadata: str, next_field: str, token_wire: str) -> str | None:
    meta = getattr(page, metadata, None)
    url = getattr(meta, next_field, None) if meta is not None else None
    if not isinstance(url, str) or not url:
        return None
    tokens = parse_qs(urlsplit(url).query).get(token_wire)
    return tokens[0] if tokens else None


def iterate_pages(
    call: Callable[..., Any],
    arguments: dict[str, Any],
    *,
    token_param: str,
    token_wire: str,
    data: str = "data",
    metadata: str = "metadata",
    next_field: str = "next",
) -> Iterator[Any]:
    seen: set[str] = set()
    while True:
        page = call(**arguments)
        yield from getattr(page, data) or ()
        token = next_token(page, metadata, next_field, token_wire)
        if token is None or token in seen:
            return
        seen.add(token)
        arguments = {**arguments, token_param: token}


async def async_iterate_pages(
    call: Callable[..., Awaitable[Any]],
    arguments: dict[str, Any],
    *,
    token_param: str,
    token_wire: str,
    data: str = "data",
    metadata: str = "metadata",
    next_field: str = "next",
) -> AsyncIterator[Any]:
    seen: set[str] = set()
    while True:
        page = await call(**arguments)
        for item in getattr(page, data) or ():
            yield item
        token = next_token(page, metadata, next_field, token_wire)
        if token is None or token in seen:
            return
        seen.add(token)
        arguments = {**arguments, token_param: token}
