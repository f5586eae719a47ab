"""An operation's parameters -> keyword arguments, path-level and operation-level merged."""

from __future__ import annotations

import re
from typing import Any

from .. import naming
from ..errors import pointer
from ..ir import DEFAULT_STYLES, Import, Param
from ..schemas import SchemaBuilder, text
from .usage import Mentions

__all__ = ["RESERVED_ARGUMENTS", "datatype", "parameters"]

RESERVED_ARGUMENTS = frozenset(
    # the per-call options every method takes; nothing else in a method body can be shadowed
    # (see templates/package/resources/resource.py.jinja)
    {"self", "extra_headers", "extra_query", "extra_body", "timeout", "max_retries",
     "strict_response_validation"}
)

_STYLES: dict[str, frozenset[str]] = {
    "query": frozenset({"form", "spaceDelimited", "pipeDelimited", "deepObject"}),
    "cookie": frozenset({"form"}),
    "path": frozenset({"simple", "label", "matrix"}),
    "header": frozenset({"simple"}),
}


def datatype(schema: Any) -> str:
    """The JSON type name the docs' parameter tables show (``object`` when there is none)."""
    if isinstance(schema, dict):
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)
        if isinstance(kind, str):
            return kind
    return "object"


def parameters(
    b: SchemaBuilder,
    path: str,
    item: dict[str, Any],
    op: dict[str, Any],
    at: str,
    hint: str,
    args: naming.NameAllocator,
    mentions: Mentions,
) -> list[Param]:
    """The operation's parameters in the spec's order (an operation-level one replaces the
    path item's of the same name and location); problems go to ``b.error``.

    Each keeps its type twice: what the signature accepts, and the model-side type with the
    schema's constraints (pattern, range...) that the argument is validated against before
    anything is sent.
    """
    merged: dict[tuple[str, str], tuple[Any, str]] = {}
    for source, where in ((item.get("parameters"), pointer("paths", path, "parameters")), (op.get("parameters"), at + "/parameters")):
        for index, raw in enumerate(source or ()):
            param, param_at = b.deref(raw, f"{where}/{index}")
            if isinstance(param, dict) and isinstance(param.get("name"), str):
                merged[(param["name"], str(param.get("in")))] = (param, param_at)
    declared = set(re.findall(r"{([^}]+)}", path))
    params: list[Param] = []
    for (wire, location), (param, param_at) in merged.items():
        if location not in ("path", "query", "header", "cookie"):
            b.error(param_at + "/in", f"parameter location {location!r} is not supported")
            continue
        if location == "path" and wire not in declared:
            b.error(param_at, f"path parameter {wire!r} does not appear in the path {path!r}")
            continue
        schema = param.get("schema")
        if not isinstance(schema, dict):
            content = param.get("content")
            media: Any = next(iter(content.values()), {}) if isinstance(content, dict) and content else {}
            schema = media.get("schema") if isinstance(media, dict) else None
        texpr = mentions.use(b.type_of(schema, param_at + "/schema", hint + naming.pascal_identifier(wire, fallback="Param")))
        mentions.use(texpr, as_param=False)  # validated against the model-side type at call time
        required = location == "path" or param.get("required") is True
        name = args.allocate(naming.snake_identifier(wire, fallback="param", reserved=RESERVED_ARGUMENTS))
        resolved_schema, resolved_at = b.deref(schema, param_at)
        constraints = b.constraints(resolved_schema, param_at + "/schema") if isinstance(resolved_schema, dict) else []
        schema_at = resolved_at if resolved_at != param_at else param_at + "/schema"
        check = b.pattern_check(resolved_schema, schema_at) if isinstance(resolved_schema, dict) else None
        runtime_type = texpr.annotation
        if constraints or check:
            markers = [f"Field({', '.join(constraints)})"] if constraints else []
            markers += [check] if check else []
            runtime_type = f"Annotated[{texpr.annotation}, {', '.join(markers)}]"
            mentions.imports.add(Import("typing", "Annotated"))
            mentions.imports.update({Import("pydantic", "Field")} if constraints else ())
            mentions.imports.update({Import("._patterns", "Pattern")} if check else ())
        default_style, _ = DEFAULT_STYLES[location]
        style = param.get("style") if isinstance(param.get("style"), str) else default_style
        explode = param.get("explode") if isinstance(param.get("explode"), bool) else style == "form"
        if style not in _STYLES[location]:
            b.error(param_at + "/style", f"style {style!r} is not supported for {location} parameters")
            continue
        description = text(param.get("description"))
        params.append(
            Param(name, wire, location, texpr.param_annotation, required, description, datatype(resolved_schema), runtime_type, style, explode)
        )
    for wire in sorted(declared - {w for (w, loc) in merged if loc == "path"}):
        b.error(at, f"path template variable {{{wire}}} has no path parameter")
    return params
