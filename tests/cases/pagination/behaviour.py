"""Confluent-style pagination: iter_<method>() follows metadata.next through every page."""

from __future__ import annotations

import asyncio
import base64
import inspect
import os
from collections.abc import Callable
from typing import Any

import httpx
from cases.support import BASE_URL

LIST_PATH = "/cmk/v2/clusters"
CREDENTIALS = {"api_key": "KEY", "api_secret": "SECRET"}


def page(ids: list[str], next_token: str | None) -> dict[str, Any]:
    nxt = None
    if next_token is not None:
        nxt = f"https://api.confluent.cloud{LIST_PATH}?environment=env-1&page_size=2&page_token={next_token}"
    return {
        "api_version": "cmk/v2",
        "kind": "ClusterList",
        "metadata": {"next": nxt, "total_size": 5},
        "data": [{"id": i} for i in ids],
    }


PAGES = {None: page(["c1", "c2"], "t2"), "t2": page(["c3", "c4"], "t3"), "t3": page(["c5"], None)}


def server(pages: dict[str | None, dict[str, Any]], sent: list[httpx.Request]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        assert request.url.path == LIST_PATH
        return httpx.Response(200, json=pages[request.url.params.get("page_token")])

    return handler


def sync_client(pkg: Any, pages: dict[str | None, dict[str, Any]] = PAGES) -> tuple[Any, list[httpx.Request]]:
    sent: list[httpx.Request] = []
    http = httpx.Client(transport=httpx.MockTransport(server(pages, sent)))
    return pkg.Client(base_url=BASE_URL, http_client=http, max_retries=0, **CREDENTIALS), sent


def check_iterator_walks_every_page(pkg: Any) -> None:
    client, sent = sync_client(pkg)
    clusters = list(client.clusters.iter_list_cmk_v2_clusters(environment="env-1", page_size=2))
    assert [c.id for c in clusters] == ["c1", "c2", "c3", "c4", "c5"]
    assert all(isinstance(c, pkg.models.CmkV2Cluster) for c in clusters)
    assert [r.url.params.multi_items() for r in sent] == [
        [("environment", "env-1"), ("page_size", "2")],
        [("environment", "env-1"), ("page_size", "2"), ("page_token", "t2")],
        [("environment", "env-1"), ("page_size", "2"), ("page_token", "t3")],
    ]


def check_async_iterator_walks_every_page(pkg: Any) -> None:
    async def main() -> tuple[list[str], list[httpx.Request]]:
        sent: list[httpx.Request] = []
        async with httpx.AsyncClient(transport=httpx.MockTransport(server(PAGES, sent))) as http:
            client = pkg.AsyncClient(base_url=BASE_URL, http_client=http, max_retries=0, **CREDENTIALS)
            ids = [c.id async for c in client.clusters.iter_list_cmk_v2_clusters(environment="env-1")]
        return ids, sent

    ids, sent = asyncio.run(main())
    assert ids == ["c1", "c2", "c3", "c4", "c5"]
    assert [r.url.params.get("page_token") for r in sent] == [None, "t2", "t3"]


def check_iterator_takes_the_arguments_but_the_token(pkg: Any) -> None:
    client, _ = sync_client(pkg)
    params = inspect.signature(client.clusters.iter_list_cmk_v2_clusters).parameters
    assert "environment" in params and "page_size" in params and "page_token" not in params
    assert params["environment"].default is inspect.Parameter.empty


def check_pages_are_fetched_lazily(pkg: Any) -> None:
    client, sent = sync_client(pkg)
    iterator = iter(client.clusters.iter_list_cmk_v2_clusters(environment="env-1"))
    assert next(iterator).id == "c1" and len(sent) == 1
    assert next(iterator).id == "c2" and len(sent) == 1
    assert next(iterator).id == "c3" and len(sent) == 2


def check_empty_pages_are_walked_through(pkg: Any) -> None:
    pages = {None: page([], "t2"), "t2": page(["c9"], None)}
    client, sent = sync_client(pkg, pages)
    assert [c.id for c in client.clusters.iter_list_cmk_v2_clusters(environment="env-1")] == ["c9"]
    assert len(sent) == 2


def check_a_next_link_without_a_token_ends_the_walk(pkg: Any) -> None:
    pages = {None: page(["c1"], None)}
    pages[None]["metadata"]["next"] = "https://api.confluent.cloud/cmk/v2/clusters?environment=env-1"
    client, sent = sync_client(pkg, pages)
    assert [c.id for c in client.clusters.iter_list_cmk_v2_clusters(environment="env-1")] == ["c1"]
    assert len(sent) == 1


def check_a_repeated_token_ends_the_walk(pkg: Any) -> None:
    pages = {None: page(["c1"], "t2"), "t2": page(["c2"], "t2")}
    client, sent = sync_client(pkg, pages)
    assert [c.id for c in client.clusters.iter_list_cmk_v2_clusters(environment="env-1")] == ["c1", "c2"]
    assert len(sent) == 2


def check_single_page_method_returns_the_page(pkg: Any) -> None:
    client, sent = sync_client(pkg)
    result = client.clusters.list_cmk_v2_clusters(environment="env-1", page_token="t3")
    assert isinstance(result, pkg.models.CmkV2ClusterList)
    assert [c.id for c in result.data] == ["c5"] and result.metadata.next is None
    assert sent[0].url.params["page_token"] == "t3"


def check_credentials_sent_on_every_page(pkg: Any) -> None:
    names = ("CASE_PAGINATION_API_KEY", "CASE_PAGINATION_API_SECRET")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(dict(zip(names, ("env-key", "env-secret"), strict=True)))
    try:
        sent: list[httpx.Request] = []
        http = httpx.Client(transport=httpx.MockTransport(server(PAGES, sent)))
        client = pkg.Client(base_url=BASE_URL, http_client=http, max_retries=0)
        assert len(list(client.clusters.iter_list_cmk_v2_clusters(environment="env-1"))) == 5
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value
    expected = "Basic " + base64.b64encode(b"env-key:env-secret").decode()
    assert [r.headers["Authorization"] for r in sent] == [expected] * 3
