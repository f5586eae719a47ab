"""An operation's request body -> keyword arguments and how the runtime encodes them.

An object body whose schema is a model is flattened: each writable property becomes a keyword
argument and the arguments are validated into the model. Any other JSON body (a list, a union,
a primitive) is one ``body`` argument validated against its type; a body of another media type
(a file, text) is one ``body`` argument of bytes or text, sent as given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import naming
from ..errors import escape_pointer_token
from ..ir import Param
from ..schemas import SchemaBuilder, Usage, flag, text
from .parameters import RESERVED_ARGUMENTS, datatype
from .usage import Mentions

__all__ = ["Body", "json_media", "request_body"]


@dataclass(slots=True)
class Body:
    """What the request body contributes to a method."""

    params: list[Param] = field(default_factory=list)
    model: str | None = None
    """The model the keyword arguments are validated into (a flattened object body)."""
    param: str | None = None
    """The single ``body`` argument's name, for any other body."""
    adapter: str | None = None
    """The type a non-object JSON body is validated against."""
    content_type: str | None = None
    encoding: str = "json"
    """``json``, ``form``, ``multipart`` or ``raw``."""


def request_body(
    b: SchemaBuilder, op: dict[str, Any], at: str, hint: str, args: naming.NameAllocator, mentions: Mentions, usage: Usage
) -> Body | None:
    """The body's arguments; ``None`` (after ``b.error``) when no content type can be sent."""
    out = Body()
    raw_body = op.get("requestBody")
    if raw_body is None:
        return out
    body, body_at = b.deref(raw_body, at + "/requestBody")
    content = body.get("content") if isinstance(body, dict) else None
    media_type, out.encoding = _body_media(content)
    if media_type is None or not isinstance(content, dict):
        if isinstance(content, dict) and content:
            problem = f"request body content type(s) {', '.join(sorted(content))} not supported"
        else:
            problem = "the request body has no content type"
        b.error(body_at + "/content", f"{problem}; use JSON, application/x-www-form-urlencoded or multipart/form-data")
        return None
    out.content_type = media_type
    required = isinstance(body, dict) and body.get("required") is True
    description = text(body.get("description") if isinstance(body, dict) else "")
    if out.encoding == "raw":
        out.param = args.allocate("body")
        out.params.append(Param(out.param, "body", "body", "bytes | str", required, description, "string", "bytes | str"))
        return out
    schema = content[media_type].get("schema") if isinstance(content[media_type], dict) else None
    texpr = b.type_of(schema, f"{body_at}/content/{escape_pointer_token(media_type)}/schema", hint + "Request")
    usage.request |= texpr.refs
    pm = b.pending.get(texpr.annotation)
    if pm is None:
        mentions.use(texpr)
        mentions.use(texpr, as_param=False)  # validated as the model-side type
        out.param = args.allocate("body")
        out.adapter = texpr.annotation
        out.params.append(Param(out.param, "body", "body", texpr.param_annotation, required, description, datatype(schema), texpr.annotation))
        return out
    out.model = pm.name
    for wire, prop, where in pm.properties:
        resolved, _ = b.deref(prop, where)
        resolved = resolved if isinstance(resolved, dict) else {}
        if pm.read_only_schema or flag(prop, resolved, "readOnly"):
            continue
        ftype = mentions.use(b.type_of(prop, where, b.property_hint(where, wire, pm.name)))
        name = args.allocate(naming.snake_identifier(wire, fallback="field", reserved=RESERVED_ARGUMENTS))
        out.params.append(
            Param(name, wire, "body", ftype.param_annotation, wire in pm.required, text(resolved.get("description")), datatype(resolved), ftype.annotation)
        )
    return out


def _body_media(content: Any) -> tuple[str | None, str]:
    """The request media type to use and how to encode it: JSON first, then forms."""
    json_type = json_media(content)
    if json_type is not None:
        return json_type, "json"
    if isinstance(content, dict):
        for media_type in content:
            base = media_type.split(";", 1)[0].strip().lower()
            if base == "application/x-www-form-urlencoded":
                return str(media_type), "form"
        for media_type in content:
            if media_type.split(";", 1)[0].strip().lower() == "multipart/form-data":
                return str(media_type), "multipart"
        for media_type in content:
            return str(media_type), "raw"
    return None, "json"


def json_media(content: Any) -> str | None:
    """The first JSON media type (``application/json`` or ``+json``) of a content map."""
    if not isinstance(content, dict):
        return None
    for media_type in content:
        base = media_type.split(";", 1)[0].strip().lower()
        if base == "application/json" or base.endswith("+json"):
            return str(media_type)
    return None
