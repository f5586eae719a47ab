"""An operation's responses -> the method's return type, its ``Accept`` header and error model."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .. import naming
from ..errors import escape_pointer_token
from ..ir import Import
from ..schemas import SchemaBuilder, Usage
from .bodies import json_media
from .usage import Mentions

__all__ = ["Success", "error_model", "success"]

_SUCCESS = re.compile(r"^2\d\d$")
_RAW = Import("httpx", "Response as _RawResponse")  # "Response" is a common schema name


@dataclass(frozen=True, slots=True)
class Success:
    """The response a call returns."""

    status: int
    """The documented status (200 for a ``2XX`` range), 0 when no success response is documented."""
    accept: str
    response_type: str
    """The return annotation (``None`` for no content, ``_RawResponse`` for a non-JSON body)."""
    response_model: str | None
    """The type the JSON body is validated into, ``None`` for no content."""


def success(b: SchemaBuilder, op: dict[str, Any], at: str, hint: str, mentions: Mentions, usage: Usage) -> Success:
    """The success response: the lowest exact 2XX status, else a 2XX range.

    With neither (only redirects, errors or ``default``, or no responses at all, as 3.1 allows)
    the method returns the raw httpx response; error statuses still raise. So does a response
    that is not JSON (a file, text, an image). A JSON response's enums and tagged unions are
    read leniently: values and variants the spec does not list yet are kept.
    """
    responses = op.get("responses") or {}
    found = sorted(code for code in responses if _SUCCESS.match(code))
    found += [code for code in responses if code.upper() == "2XX"]
    status = found[0] if found else ""
    resp, resp_at = b.deref(responses[status], f"{at}/responses/{status}") if status else ({}, at)
    response_type, response_model = "None", None
    content = resp.get("content") if isinstance(resp, dict) else None
    if not status:
        mentions.imports.add(_RAW)
        response_type = response_model = "_RawResponse"
    accept = ", ".join(content) if isinstance(content, dict) and content else "application/json"
    if isinstance(content, dict) and content:
        media_type = json_media(content)
        if media_type is None:
            mentions.imports.add(_RAW)
            response_type = response_model = "_RawResponse"
        else:
            media = content[media_type]
            schema = media.get("schema") if isinstance(media, dict) else None
            where = f"{resp_at}/content/{escape_pointer_token(media_type)}/schema"
            texpr = mentions.use(b.type_of(schema, where, hint + "Response"), as_param=False)
            usage.response |= texpr.refs
            response_type = response_model = texpr.annotation
            lenient = b.response_type(texpr)
            if lenient is not None:
                response_type = response_model = lenient[0]
                mentions.imports |= lenient[1]
    code = int(status) if status.isdigit() else (200 if status else 0)
    return Success(code, accept, response_type, response_model)


def error_model(b: SchemaBuilder, op: dict[str, Any], at: str, hint: str, mentions: Mentions, usage: Usage) -> str | None:
    """The model every documented JSON error response shares, if there is exactly one."""
    models: set[str] = set()
    for code, raw in (op.get("responses") or {}).items():
        if _SUCCESS.match(code):
            continue
        err, err_at = b.deref(raw, f"{at}/responses/{code}")
        content = err.get("content") if isinstance(err, dict) else None
        media_type = json_media(content)
        if media_type and isinstance(content, dict) and isinstance(content[media_type], dict):
            where = f"{err_at}/content/{escape_pointer_token(media_type)}/schema"
            texpr = b.type_of(content[media_type].get("schema"), where, hint + naming.pascal_identifier(code, fallback="Error") + "Error")
            usage.response |= texpr.refs
            models.add(texpr.annotation)
    model = models.pop() if len(models) == 1 and not models & {"Any"} else None
    if model is None or model not in b.pending:
        return None
    mentions.refs.add(model)
    return model
