"""Operations -> methods: the half of the model stage that reads ``paths``.

Each operation becomes an :class:`~generator.ir.Operation`: its method name (the snake-cased
operationId, or method and path), its resource, and what its parts contribute, each built by
its own module: the keyword arguments from the parameters (:mod:`.parameters`) and from the
request body, flattened (:mod:`.bodies`); the return type and error model from the responses
(:mod:`.responses`); and pagination (:mod:`.pagination`). The parts are built in that order,
which is also the order in which inline schemas get their names.
"""

from __future__ import annotations

import re
from typing import Any

from .. import naming
from ..ir import Operation
from ..load import Document
from ..schemas import SchemaBuilder, Usage, text
from .bodies import request_body
from .pagination import pagination
from .parameters import RESERVED_ARGUMENTS, parameters
from .responses import error_model, success
from .usage import Mentions

__all__ = ["build_operation", "strip_badges"]

_BADGE = re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)|!\[[^\]]*\]\([^)]*\)")


def strip_badges(text: str) -> str:
    """Remove Markdown image badges (lifecycle stickers) and the blank lines they leave."""
    lines = [line.rstrip() for line in _BADGE.sub("", text).splitlines()]
    return "\n".join(lines).strip()


def build_operation(
    b: SchemaBuilder,
    doc: Document,
    path: str,
    method: str,
    item: dict[str, Any],
    op: dict[str, Any],
    at: str,
    usage: Usage,
) -> Operation | None:
    """The method for ``op`` (at JSON pointer ``at``); ``None`` when its body cannot be sent.

    Other problems are recorded with ``b.error`` and the operation is still built, so that one
    run reports every problem of the document.
    """
    op_id = op.get("operationId")
    if not isinstance(op_id, str) or not op_id.strip():
        op_id = method + "_" + "_".join(naming.words(path.replace("{", " by ").replace("}", " ")))
    method_name = naming.snake_identifier(op_id, fallback="call", reserved=frozenset({"with_raw_response", "with_options"}))
    hint = naming.pascal_identifier(op_id, fallback="Operation")
    args = naming.NameAllocator(RESERVED_ARGUMENTS)
    mentions = Mentions()
    params = parameters(b, path, item, op, at, hint, args, mentions)
    body = request_body(b, op, at, hint, args, mentions, usage)
    if body is None:
        return None
    params += body.params
    returns = success(b, op, at, hint, mentions, usage)
    errors = error_model(b, op, at, hint, mentions, usage)
    paged = pagination(b, method, params, returns.response_model, mentions)
    return Operation(
        operation_id=op_id,
        method_name=method_name,
        resource=_resource_name(doc, op),
        http_method=method.upper(),
        path=path,
        pointer=at,
        summary=text(op.get("summary")),
        description=strip_badges(text(op.get("description"))),
        params=tuple(sorted(params, key=lambda p: not p.required)),
        body_model=body.model,
        body_param=body.param,
        body_adapter=body.adapter,
        content_type=body.content_type,
        body_encoding=body.encoding,
        accept=returns.accept,
        success_status=returns.status,
        response_type=returns.response_type,
        response_model=returns.response_model,
        error_model=errors,
        pagination=paged,
        refs=frozenset(mentions.refs),
        imports=frozenset(mentions.imports),
        param_refs=frozenset(mentions.param_refs),
    )


def _resource_name(doc: Document, op: dict[str, Any]) -> str:
    """The resource a method belongs to: ``x-resource``, else its first tag (or that tag's
    ``x-resource``), else ``default``."""
    explicit = op.get("x-resource")
    if isinstance(explicit, str) and explicit.strip():
        return naming.snake(explicit) or "default"
    tags = op.get("tags")
    if isinstance(tags, list) and tags and isinstance(tags[0], str):
        for tag in doc.root.get("tags") or ():
            if isinstance(tag, dict) and tag.get("name") == tags[0] and isinstance(tag.get("x-resource"), str):
                return naming.snake(tag["x-resource"]) or "default"
        return naming.snake(tags[0]) or "default"
    return "default"
