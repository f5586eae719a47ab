"""What the feature cases' ``behaviour.py`` files share: a client on a recording transport.

Every case drives its generated package through ``httpx.MockTransport``: :func:`wire` makes a
client whose requests are kept (body read) and answered by a handler; :func:`echo` and
:func:`ok` are the usual handlers. The base URL is a loopback address nothing listens on, so
a request that escaped the transport would fail rather than reach anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

__all__ = ["BASE_URL", "Handler", "echo", "ok", "wire"]

BASE_URL = "http://127.0.0.1:9"

Handler = Callable[[httpx.Request], httpx.Response]


def wire(pkg: Any, answer: Handler | None = None, **options: Any) -> tuple[Any, list[httpx.Request]]:
    """``pkg.Client`` (no retries, ``options`` passed on) and the list its requests go to;
    ``answer`` replies to each (204 No Content without one)."""
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return answer(request) if answer else httpx.Response(204)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return pkg.Client(base_url=BASE_URL, http_client=http, max_retries=0, **options), sent


def echo(status: int = 200) -> Handler:
    """A handler that answers with the request's own JSON body."""
    return lambda request: httpx.Response(status, json=json.loads(request.content))


def ok(body: Any, status: int = 200) -> Handler:
    """A handler that answers every request with ``body`` as JSON."""
    return lambda request: httpx.Response(status, json=body)
