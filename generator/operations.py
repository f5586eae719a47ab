"""Operations -> methods: the half of the model stage that reads ``paths``.

Each operation becomes an :class:`~generator.ir.Operation`: its method name (the snake-cased
operationId, or method and path), its resource, its keyword arguments (parameters first, then
the request body's properties, flattened), the body's encoding, the success type, the error
model, pagination, and the method-table data the docs render.
"""

from __future__ import annotations

import re
from typing import Any

from . import naming
from .errors import escape_pointer_token, pointer
from .ir import DEFAULT_STYLES, Import, Operation, Pagination, Param, TypeExpr
from .load import Document
from .openapi import path_items
from .schemas import SchemaBuilder, Usage, flag, text

RESERVED_ARGUMENTS = frozenset(
    # the per-call options every method takes; nothing else in a method body can be shadowed
    # (see templates/package/resources/resource.py.jinja)
    {"self", "extra_headers", "extra_query", "extra_body", "timeout", "max_retries",
     "strict_response_validation"}
)
_BADGE = re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)|!\[[^\]]*\]\([^)]*\)")
_SUCCESS = re.compile(r"^2\d\d$")

_STYLES: dict[str, frozenset[str]] = {
    "query": frozenset({"form", "spaceDelimited", "pipeDelimited", "deepObject"}),
    "cookie": frozenset({"form"}),
    "path": frozenset({"simple", "label", "matrix"}),
    "header": frozenset({"simple"}),
}


def strip_badges(text: str) -> str:
    """Remove Markdown image badges (lifecycle stickers) and the blank lines they leave."""
    lines = [line.rstrip() for line in _BADGE.sub("", text).splitlines()]
    return "\n".join(lines).strip()


def _resource_name(doc: Document, op: dict[str, Any]) -> str:
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


def _datatype(schema: Any) -> str:
    if isinstance(schema, dict):
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)
        if isinstance(kind, str):
            return kind
    return "object"


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
    op_id = op.get("operationId")
    if not isinstance(op_id, str) or not op_id.strip():
        op_id = method + "_" + "_".join(naming.words(path.replace("{", " by ").replace("}", " ")))
    method_name = naming.snake_identifier(op_id, fallback="call", reserved=frozenset({"with_raw_response", "with_options"}))
    op_pascal = naming.pascal_identifier(op_id, fallback="Operation")
    args = naming.NameAllocator(RESERVED_ARGUMENTS)
    params: list[Param] = []
    refs: set[str] = set()
    imports: set[Import] = set()
    param_refs: set[str] = set()

    def use(texpr: TypeExpr, *, as_param: bool = True) -> TypeExpr:
        refs.update(texpr.refs)
        imports.update(texpr.param_imports if as_param else texpr.imports)
        if as_param:
            param_refs.update(texpr.param_refs)
        return texpr
    required_doc: list[str] = []
    optional_doc: list[str] = []
    merged: dict[tuple[str, str], tuple[Any, str]] = {}
    for source, where in ((item.get("parameters"), pointer("paths", path, "parameters")), (op.get("parameters"), at + "/parameters")):
        for index, raw in enumerate(source or ()):
            param, param_at = b.deref(raw, f"{where}/{index}")
            if isinstance(param, dict) and isinstance(param.get("name"), str):
                merged[(param["name"], str(param.get("in")))] = (param, param_at)
    declared = set(re.findall(r"{([^}]+)}", path))
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
        texpr = use(b.type_of(schema, param_at + "/schema", op_pascal + naming.pascal_identifier(wire, fallback="Param")))
        use(texpr, as_param=False)  # validated against the model-side type at call time
        required = location == "path" or param.get("required") is True
        name = args.allocate(naming.snake_identifier(wire, fallback="param", reserved=RESERVED_ARGUMENTS))
        description = text(param.get("description"))
        resolved_schema, resolved_at = b.deref(schema, param_at)
        datatype = _datatype(resolved_schema)
        # Validated before sending: the type plus the schema's constraints (pattern, range...).
        constraints = b.constraints(resolved_schema, param_at + "/schema") if isinstance(resolved_schema, dict) else []
        schema_at = resolved_at if resolved_at != param_at else param_at + "/schema"
        check = b.pattern_check(resolved_schema, schema_at) if isinstance(resolved_schema, dict) else None
        runtime_type = texpr.annotation
        if constraints or check:
            markers = [f"Field({', '.join(constraints)})"] if constraints else []
            markers += [check] if check else []
            runtime_type = f"Annotated[{texpr.annotation}, {', '.join(markers)}]"
            imports.add(Import("typing", "Annotated"))
            imports.update({Import("pydantic", "Field")} if constraints else ())
            imports.update({Import("._patterns", "Pattern")} if check else ())
        default_style, _ = DEFAULT_STYLES[location]
        style = param.get("style") if isinstance(param.get("style"), str) else default_style
        explode = param.get("explode") if isinstance(param.get("explode"), bool) else style == "form"
        if style not in _STYLES[location]:
            b.error(param_at + "/style", f"style {style!r} is not supported for {location} parameters")
            continue
        params.append(
            Param(name, wire, location, texpr.param_annotation, required, description, datatype, runtime_type, style, explode)
        )
        (required_doc if required else optional_doc).append(wire)
    for wire in sorted(declared - {w for (w, loc) in merged if loc == "path"}):
        b.error(at, f"path template variable {{{wire}}} has no path parameter")

    body_model = body_param = body_adapter = content_type = None
    body_encoding = "json"
    body: Any = None
    body_at, content, media_type, schema = at, None, None, None
    raw_body = op.get("requestBody")
    if raw_body is not None:
        body, body_at = b.deref(raw_body, at + "/requestBody")
        content = body.get("content") if isinstance(body, dict) else None
        media_type, body_encoding = _body_media(content)
        if media_type is None or not isinstance(content, dict):
            if isinstance(content, dict) and content:
                problem = f"request body content type(s) {', '.join(sorted(content))} not supported"
            else:
                problem = "the request body has no content type"
            b.error(body_at + "/content", f"{problem}; use JSON, application/x-www-form-urlencoded or multipart/form-data")
            return None
        content_type = media_type
        if body_encoding == "raw":
            # Any other media type (a file, text, an image): the caller passes the bytes or
            # text, sent as they are with the spec's content type.
            body_param = args.allocate("body")
            required = isinstance(body, dict) and body.get("required") is True
            params.append(Param(body_param, "body", "body", "bytes | str", required, text(body.get("description") if isinstance(body, dict) else ""), "string", "bytes | str"))
            schema = None
        else:
            schema = content[media_type].get("schema") if isinstance(content[media_type], dict) else None
    if raw_body is not None and body_encoding != "raw" and isinstance(content, dict) and media_type is not None:
        texpr = b.type_of(schema, f"{body_at}/content/{escape_pointer_token(media_type)}/schema", op_pascal + "Request")
        usage.request |= texpr.refs
        pm = b.pending.get(texpr.annotation)
        if pm is not None:
            body_model = pm.name
            for wire, prop, where in pm.properties:
                resolved, _ = b.deref(prop, where)
                resolved = resolved if isinstance(resolved, dict) else {}
                if pm.read_only_schema or flag(prop, resolved, "readOnly"):
                    continue
                ftype = use(b.type_of(prop, where, b.property_hint(where, wire, pm.name)))
                required = wire in pm.required
                name = args.allocate(naming.snake_identifier(wire, fallback="field", reserved=RESERVED_ARGUMENTS))
                params.append(Param(name, wire, "body", ftype.param_annotation, required, text(resolved.get("description")), _datatype(resolved), ftype.annotation))
                if required:
                    required_doc.append(wire)
        else:
            use(texpr)
            use(texpr, as_param=False)  # validated as the model-side type
            body_param = args.allocate("body")
            body_adapter = texpr.annotation
            required = isinstance(body, dict) and body.get("required") is True
            params.append(Param(body_param, "body", "body", texpr.param_annotation, required, text(body.get("description") if isinstance(body, dict) else ""), _datatype(schema), texpr.annotation))

    responses = op.get("responses") or {}
    success = sorted(code for code in responses if _SUCCESS.match(code))
    # The success response: the lowest exact 2XX status, else a 2XX range. With neither (only
    # redirects, errors or ``default``, or no responses at all, as 3.1 allows) the method
    # returns the raw httpx response; error statuses still raise.
    success += [code for code in responses if code.upper() == "2XX"]
    status = success[0] if success else ""
    resp, resp_at = b.deref(responses[status], f"{at}/responses/{status}") if status else ({}, at)
    response_type, response_model = "None", None
    resp_content = resp.get("content") if isinstance(resp, dict) else None
    if not status:
        imports.add(Import("httpx", "Response as _RawResponse"))
        response_type = response_model = "_RawResponse"
    accept = ", ".join(resp_content) if isinstance(resp_content, dict) and resp_content else "application/json"
    if isinstance(resp_content, dict) and resp_content:
        media_type = _json_media(resp_content)
        if media_type is None:
            # Not JSON (a file, text, an image...): the method returns the raw httpx response.
            imports.add(Import("httpx", "Response as _RawResponse"))  # "Response" is a common schema name
            response_type = response_model = "_RawResponse"
        else:
            media = resp_content[media_type]
            texpr = use(
                b.type_of(
                    media.get("schema") if isinstance(media, dict) else None,
                    f"{resp_at}/content/{escape_pointer_token(media_type)}/schema",
                    op_pascal + "Response",
                ),
                as_param=False,
            )
            usage.response |= texpr.refs
            response_type = response_model = texpr.annotation
            lenient = b.response_type(texpr)  # new enum values and variants are kept
            if lenient is not None:
                response_type = response_model = lenient[0]
                imports |= lenient[1]
    error_models: set[str] = set()
    for code, raw in responses.items():
        if _SUCCESS.match(code):
            continue
        err, err_at = b.deref(raw, f"{at}/responses/{code}")
        err_content = err.get("content") if isinstance(err, dict) else None
        media_type = _json_media(err_content)
        if media_type and isinstance(err_content, dict) and isinstance(err_content[media_type], dict):
            texpr = b.type_of(err_content[media_type].get("schema"), f"{err_at}/content/{escape_pointer_token(media_type)}/schema", op_pascal + naming.pascal_identifier(code, fallback="Error") + "Error")
            usage.response |= texpr.refs
            error_models.add(texpr.annotation)
    paged = _pagination(b, method, params, response_model)  # a model: never made lenient above
    if paged is not None:
        use(paged[1], as_param=False)
        imports.update({Import("collections.abc", "Iterator"), Import("collections.abc", "AsyncIterator")})
        imports.update({Import("._pagination", "iterate_pages"), Import("._pagination", "async_iterate_pages")})
    error_model = error_models.pop() if len(error_models) == 1 and not error_models & {"Any"} else None
    if error_model is not None and error_model in b.pending:
        refs.add(error_model)
    else:
        error_model = None
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
        body_model=body_model,
        body_param=body_param,
        body_adapter=body_adapter,
        content_type=content_type,
        body_encoding=body_encoding,
        accept=accept,
        success_status=int(status) if status.isdigit() else (200 if status else 0),
        response_type=response_type,
        response_model=response_model,
        error_model=error_model,
        pagination=paged[0] if paged is not None else None,
        documented_required=tuple(required_doc),
        documented_optional=tuple(optional_doc),
        accessible_by=_accessible_by(doc, path, method),
        refs=frozenset(refs),
        imports=frozenset(imports),
        param_refs=frozenset(param_refs),
    )


def _pagination(b: SchemaBuilder, method: str, params: list[Param], response_model: str | None) -> tuple[Pagination, TypeExpr] | None:
    """Confluent-style pagination: GET with ``page_token``, a ``data`` list and ``metadata.next``."""
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
    pagination = Pagination(
        token_param=token.name,
        token_wire=token.wire_name,
        data_field="data",
        metadata_field="metadata",
        next_field="next",
        item_type=data.annotation.removeprefix("list[").removesuffix("]"),
    )
    return pagination, data


def _accessible_by(doc: Document, path: str, method: str) -> str:
    """The SQL verb the docs list a method under; ``exec`` for anything that is not CRUD.

    GET reads (``select``), PUT/PATCH update, DELETE deletes; POST inserts only when it creates
    an item of a collection (the spec also has ``<path>/{id}``), otherwise it is an action.
    """
    if method == "get":
        return "select"
    if method in ("put", "patch"):
        return "update"
    if method == "delete":
        return "delete"
    if method == "post":
        prefix = path.rstrip("/") + "/{"
        if any(p.startswith(prefix) and p.count("/") == path.rstrip("/").count("/") + 1 for p, _ in path_items(doc.root)):
            return "insert"
    return "exec"


def _body_media(content: Any) -> tuple[str | None, str]:
    """The request media type to use and how to encode it: JSON first, then forms."""
    json_type = _json_media(content)
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


def _json_media(content: Any) -> str | None:
    if not isinstance(content, dict):
        return None
    for media_type in content:
        base = media_type.split(";", 1)[0].strip().lower()
        if base == "application/json" or base.endswith("+json"):
            return str(media_type)
    return None
