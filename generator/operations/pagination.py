"""Confluent-style pagination: ``page_token`` in, a ``data`` list and ``metadata.next`` out."""

from __future__ import annotations

from ..ir import Import, Pagination, Param
from ..schemas import SchemaBuilder
from .usage import Mentions

__all__ = ["pagination"]

_ITERATORS = frozenset({
    Import("collections.abc", "Iterator"), Import("collections.abc", "AsyncIterator"),
    Import("._pagination", "iterate_pages"), Import("._pagination", "async_iterate_pages"),
})


def pagination(b: SchemaBuilder, method: str, params: list[Param], response_model: str | None, mentions: Mentions) -> Pagination | None:
    """The method's pagination when it is a GET with a ``page_token`` query parameter whose
    response model has a ``data`` list and a ``metadata`` object with ``next``.

    ``response_model`` is a model name (a model is never made lenient), so the check reads the
    model's own properties.
    """
    token = next((p for p in params if p.location == "query" and p.wire_name == "page_token"), None)
    page = b.pending.get(response_model or "")
    if method != "get" or token is None or page is None:
        return None
    fields = {wire: (prop, where) for wire, prop, where in page.properties}
    if "data" not in fields or "metadata" not in fields:
        return None
    data = b.type_of(fields["data"][0], fields["data"][1], b.property_hint(fields["data"][1], "data", page.name))
    meta = b.pending.get(b.type_of(fields["metadata"][0], fields["metadata"][1], b.property_hint(fields["metadata"][1], "metadata", page.name)).annotation.removesuffix(" | None"))
    if not data.annotation.startswith("list[") or meta is None or not any(w == "next" for w, _, _ in meta.properties):
        return None
    mentions.use(data, as_param=False)
    mentions.imports |= _ITERATORS
    return Pagination(
        token_param=token.name,
        token_wire=token.wire_name,
        data_field="data",
        metadata_field="metadata",
        next_field="next",
        item_type=data.annotation.removeprefix("list[").removesuffix("]"),
    )
