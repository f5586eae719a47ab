"""Operations grouped into resources by x-resource and tags; credentials for secured specs."""

from __future__ import annotations

import asyncio
import base64
import inspect
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from cases.support import BASE_URL, wire

ENV = ("CASE_RESOURCES_API_KEY", "CASE_RESOURCES_API_SECRET", "CASE_RESOURCES_BEARER_TOKEN")


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """Exactly ``values`` set among the package's credential variables, restored afterwards."""
    saved = {name: os.environ.pop(name, None) for name in ENV}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


def resource_with(client: Any, method: str) -> str:
    # Resources are made when first read (their attributes are class-level descriptors).
    found = [
        name for name in dir(client)
        if not name.startswith("_") and callable(getattr(getattr(client, name), method, None))
    ]
    assert len(found) == 1, (method, found)
    return found[0]


def check_resources_from_tags_and_x_resource(pkg: Any) -> None:
    client, sent = wire(pkg, api_key="k", api_secret="s")
    assert resource_with(client, "promote_user") == "admin"  # the first of its tags
    assert resource_with(client, "read_audit_log") == "audit_log"  # x-resource on the operation
    assert resource_with(client, "health") == "default"  # no tag
    client.users.list()
    client.accounts.list()  # x-resource on the tag; both resources have a "list"
    assert [r.url.path for r in sent] == ["/users", "/accounts"]


def check_resource_named_like_a_client_method(pkg: Any) -> None:
    client, sent = wire(pkg, api_key="k", api_secret="s")
    attribute = resource_with(client, "close_all")
    assert attribute != "close" and attribute.isidentifier()
    getattr(client, attribute).close_all()
    assert sent[0].url.path == "/close"
    assert inspect.ismethod(client.close)
    client.close()


def check_async_client_has_the_same_resources(pkg: Any) -> None:
    async def main() -> list[str]:
        sent: list[str] = []

        def handler(request: httpx.Request) -> httpx.Response:
            sent.append(request.url.path)
            return httpx.Response(204)

        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            client = pkg.AsyncClient(base_url=BASE_URL, http_client=http, api_key="k", api_secret="s")
            assert await client.users.list() is None
            await client.accounts.list()
            await client.admin.promote_user()
            await client.audit_log.read_audit_log()
            await client.default.health()
        return sent

    assert asyncio.run(main()) == ["/users", "/accounts", "/admin/users", "/audit", "/health"]


def check_explicit_credentials(pkg: Any) -> None:
    with environment():
        client, sent = wire(pkg, api_key="key-1", api_secret="secret-1")
        client.default.health()
        assert sent[0].headers["Authorization"] == basic("key-1", "secret-1")
        client, sent = wire(pkg, bearer_token="tok-1")
        client.default.health()
        assert sent[0].headers["Authorization"] == "Bearer tok-1"


def check_credentials_from_default_environment_variables(pkg: Any) -> None:
    with environment(CASE_RESOURCES_API_KEY="env-key", CASE_RESOURCES_API_SECRET="env-secret"):
        client, sent = wire(pkg)
        client.default.health()
        assert sent[0].headers["Authorization"] == basic("env-key", "env-secret")
    with environment(CASE_RESOURCES_BEARER_TOKEN="env-token"):
        client, sent = wire(pkg)
        client.default.health()
        assert sent[0].headers["Authorization"] == "Bearer env-token"


def check_no_credentials_is_an_error(pkg: Any) -> None:
    with environment(), pytest.raises(ValueError, match="CASE_RESOURCES_API_KEY"):
        wire(pkg)
