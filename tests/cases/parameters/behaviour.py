"""Path, query, header and cookie parameters, serialised as their style/explode say."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import pydantic
import pytest
from cases.support import wire


def query_of(pkg: Any, **arguments: Any) -> list[tuple[str, str]]:
    """The (name, value) pairs sent, in order, for ``search(limit=10, **arguments)``."""
    client, sent = wire(pkg)
    client.default.search(limit=10, **arguments)
    pairs = parse_qsl(sent[0].url.query.decode("ascii"), keep_blank_values=True)
    assert pairs[0] == ("limit", "10")
    return pairs[1:]


def check_only_given_query_parameters_are_sent(pkg: Any) -> None:
    client, sent = wire(pkg)
    client.default.search(limit=10)
    assert sent[0].url.query == b"limit=10"


def check_scalar_query_values(pkg: Any) -> None:
    assert query_of(pkg, active=True) == [("active", "true")]
    assert query_of(pkg, active=False) == [("active", "false")]
    assert query_of(pkg, q="a&b=c d/é+") == [("q", "a&b=c d/é+")]


def check_array_form_exploded(pkg: Any) -> None:
    assert query_of(pkg, tags=["a", "b"]) == [("tags", "a"), ("tags", "b")]
    assert query_of(pkg, tags=[]) == []


def check_array_form_not_exploded(pkg: Any) -> None:
    assert query_of(pkg, ids=[1, 2, 3]) == [("ids", "1,2,3")]


def check_array_space_and_pipe_delimited(pkg: Any) -> None:
    assert query_of(pkg, words=["a", "b"]) == [("words", "a b")]
    assert query_of(pkg, codes=["x", "y"]) == [("codes", "x|y")]


def check_object_deep_object(pkg: Any) -> None:
    assert query_of(pkg, filter={"kind": "big", "size": 2}) == [("filter[kind]", "big"), ("filter[size]", "2")]


def check_object_form_exploded_and_not(pkg: Any) -> None:
    assert query_of(pkg, point={"x": 1, "y": 2}) == [("x", "1"), ("y", "2")]
    assert query_of(pkg, range={"min": 1, "max": 5}) == [("range", "min,1,max,5")]


def check_query_values_validated_before_sending(pkg: Any) -> None:
    client, sent = wire(pkg)
    with pytest.raises(pydantic.ValidationError, match="ids"):
        client.default.search(limit=10, ids=["one"])
    with pytest.raises(pydantic.ValidationError, match="filter"):
        client.default.search(limit=10, filter={"size": "big"})
    assert sent == []


def check_query_constraints_enforced(pkg: Any) -> None:
    client, sent = wire(pkg)
    with pytest.raises(pydantic.ValidationError, match="limit"):
        client.default.search(limit=0)
    with pytest.raises(pydantic.ValidationError, match="limit"):
        client.default.search(limit=101)
    with pytest.raises(pydantic.ValidationError, match="code"):
        client.default.search(limit=10, code="abcd")
    assert sent == []


def check_path_parameter_percent_encoded(pkg: Any) -> None:
    client, sent = wire(pkg)
    client.default.get_item(item_id="a/b c?d", x_tenant="t1")
    assert sent[0].url.raw_path == b"/items/a%2Fb%20c%3Fd"


def check_path_styles(pkg: Any) -> None:
    client, sent = wire(pkg)
    client.default.get_styled(plain=["a", "b"], label=["a", "b"], matrix=["a", "b"], point={"x": 1, "y": 2})
    assert sent[0].url.raw_path == b"/styled/a,b/.a,b/;matrix=a;matrix=b/x,1,y,2"


def check_header_parameters(pkg: Any) -> None:
    client, sent = wire(pkg)
    client.default.get_item(item_id="i1", x_tenant="t1", x_trace_id="tr-9", x_tags=["a", "b"], x_verbose=True)
    headers = sent[0].headers
    assert (headers["X-Tenant"], headers["X-Trace-Id"], headers["X-Tags"], headers["X-Verbose"]) == ("t1", "tr-9", "a,b", "true")
    client.default.get_item(item_id="i1", x_tenant="t1")
    assert "x-trace-id" not in sent[1].headers and "x-tags" not in sent[1].headers


def check_path_level_parameters_and_overrides(pkg: Any) -> None:
    client, sent = wire(pkg)
    with pytest.raises(TypeError, match="x_tenant"):
        client.default.get_item(item_id="i1")
    client.default.delete_item(item_id="i1")
    assert sent[0].method == "DELETE" and sent[0].url.path == "/items/i1" and "x-tenant" not in sent[0].headers
    client.default.delete_item(item_id="i1", x_tenant="t2")
    assert sent[1].headers["X-Tenant"] == "t2"


def check_cookie_parameters(pkg: Any) -> None:
    client, sent = wire(pkg)
    client.default.get_item(item_id="i1", x_tenant="t", session="abc123", theme="dark")
    assert sent[0].headers["Cookie"] == "session=abc123; theme=dark"
    client.default.get_item(item_id="i1", x_tenant="t")
    assert "cookie" not in sent[1].headers


def check_cookie_array_form_not_exploded(pkg: Any) -> None:
    client, sent = wire(pkg)
    client.default.get_item(item_id="i1", x_tenant="t", prefs=["a", "b"])
    assert sent[0].headers["Cookie"] == "prefs=a,b"
