"""What the documentation shows, as plain data: resource pages and the API reference.

Pure functions over the IR (and, for the errors an operation documents, the spec document).
Strings here are still raw spec text where they came from the spec; the templates escape
them through the filters in :mod:`generator.render`. Code samples are built here as whole
strings (Python formatted by black, shell quoted by :func:`shlex.quote`); templates put them
in fences long enough that no line inside can close them.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .ir import AliasDef, Api, ModelDef, Operation, Resource, TypeExpr
from .load import Document
from .method_table import MethodEntry, method_entry, resource_parameters
from .naming import legacy_snake
from .options import DOC_STYLES as DOC_STYLES  # re-exported

__all__ = [
    "DOC_STYLES",
    "EXCEPTION_BY_STATUS",
    "PASS_THROUGH",
    "ArgumentDoc",
    "ErrorDoc",
    "FieldTable",
    "LegacyMethodRow",
    "LegacyPage",
    "MethodDoc",
    "MethodRow",
    "ParamRef",
    "ResourcePage",
    "Row",
    "Snippets",
    "SqlMethod",
    "anchor",
    "black_snippets",
    "body_field_order",
    "cli_example",
    "exception_for",
    "json_type",
    "legacy_page",
    "method_doc",
    "method_docs",
    "operation_errors",
    "py_value",
    "python_example",
    "resource_page",
    "signature",
]

# The generated runtime's exception for each status (templates/static/_exceptions.py).
EXCEPTION_BY_STATUS: dict[int, str] = {
    400: "BadRequestError",
    401: "AuthenticationError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    409: "ConflictError",
    422: "UnprocessableEntityError",
    429: "RateLimitError",
}
PASS_THROUGH = (
    "extra_headers", "extra_query", "extra_body", "timeout", "max_retries", "strict_response_validation"
)
_SUCCESS = re.compile(r"^2(\d\d|XX)$", re.IGNORECASE)
_NAME = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_SAFE_FLAGS = frozenset({"dryrun", "validateonly"})


# --------------------------------------------------------------------------- errors
@dataclass(frozen=True, slots=True)
class ErrorDoc:
    """One documented error response of an operation."""

    status: str
    exception: str
    description: str


def exception_for(status: str) -> str:
    """The exception class the generated client raises for a documented error status."""
    if status.isdigit():
        code = int(status)
        if code >= 500:
            return "InternalServerError"
        return EXCEPTION_BY_STATUS.get(code, "APIStatusError")
    if status.upper() == "5XX":
        return "InternalServerError"
    return "APIStatusError"


def operation_errors(document: Document, api: Api) -> dict[str, tuple[ErrorDoc, ...]]:
    """The error responses each operation documents, by operation id, in status order."""
    out: dict[str, tuple[ErrorDoc, ...]] = {}
    for op in api.operations:
        try:
            node = document.resolve("#" + op.pointer)
        except KeyError:
            node = {}
        responses = node.get("responses") if isinstance(node, dict) else None
        docs: list[ErrorDoc] = []
        for status, raw in (responses.items() if isinstance(responses, dict) else ()):
            status = str(status)
            if _SUCCESS.match(status):
                continue
            try:
                resolved = document.deref(raw)
            except KeyError:
                resolved = {}
            description = resolved.get("description") if isinstance(resolved, dict) else None
            docs.append(ErrorDoc(status, exception_for(status), description.strip() if isinstance(description, str) else ""))
        docs.sort(key=lambda e: (e.status == "default", e.status))
        out[op.operation_id] = tuple(docs)
    return out


# --------------------------------------------------------------------------- resource pages
@dataclass(frozen=True, slots=True)
class ParamRef:
    """A parameter named in the methods table; ``anchor`` is its row in the parameters table."""

    name: str
    anchor: str | None


@dataclass(frozen=True, slots=True)
class MethodRow:
    name: str
    accessible_by: str
    required: tuple[ParamRef, ...]
    optional: tuple[ParamRef, ...]
    description: str


@dataclass(frozen=True, slots=True)
class Row:
    """A row of a name / datatype / description table."""

    name: str
    datatype: str
    description: str
    anchor: str


@dataclass(frozen=True, slots=True)
class SqlMethod:
    """One method's SQL example: the parameters and body fields it names."""

    name: str
    description: str
    params: tuple[str, ...]
    """Path and query parameters (wire names)."""
    required_params: tuple[str, ...]
    body_fields: tuple[str, ...]
    """Body properties (wire names), in the order the body schema lists them."""
    fields: tuple[str, ...]
    """For SELECT: the columns the response has."""


@dataclass(frozen=True, slots=True)
class FieldTable:
    method: str
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class ResourcePage:
    """Everything a resource page shows (raw text; the template escapes it)."""

    name: str
    resource_id: str
    provider: str
    service: str
    methods: tuple[MethodRow, ...]
    params: tuple[Row, ...]
    field_tables: tuple[FieldTable, ...]
    selects: tuple[SqlMethod, ...]
    inserts: tuple[SqlMethod, ...]
    updates: tuple[SqlMethod, ...]
    deletes: tuple[SqlMethod, ...]
    execs: tuple[SqlMethod, ...]


@dataclass(frozen=True, slots=True)
class LegacyMethodRow:
    name: str
    accessible_by: str
    required: tuple[str, ...]
    description: str


@dataclass(frozen=True, slots=True)
class LegacyPage:
    name: str
    resource_id: str
    provider: str
    service: str
    methods: tuple[LegacyMethodRow, ...]
    field_tables: tuple[FieldTable, ...]


def anchor(name: str) -> str:
    """The id of a parameter's row: ``parameter-`` and the name, reduced to safe characters."""
    return "parameter-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "param")


def _names(service_id: str) -> tuple[str, str]:
    provider, _, service = service_id.partition(".")
    return provider, service or provider


def body_field_order(api: Api, op: Operation) -> tuple[str, ...]:
    """Body properties (wire names) in the order the body schema declares them."""
    fields = [p.wire_name for p in op.body_fields if op.body_param is None or p.name != op.body_param]
    model = _model(api, op.body_model) if op.body_model else None
    if model is None:
        return tuple(fields)
    position = {f.wire_name: index for index, f in enumerate(model.fields)}
    return tuple(sorted(fields, key=lambda wire: position.get(wire, len(position))))


def _model(api: Api, name: str | None) -> ModelDef | None:
    return _lookups(api)[1].get(name) if name else None


def _definitions(api: Api) -> dict[str, ModelDef | AliasDef]:
    return _lookups(api)[0]


_Lookups = tuple[dict[str, ModelDef | AliasDef], dict[str, ModelDef]]
_last_lookups: list[tuple[Api, _Lookups]] = []


def _lookups(api: Api) -> _Lookups:
    """The API's definitions and models by name (first of a name wins), built once per API:
    every method's docs look them up."""
    if _last_lookups and _last_lookups[0][0] is api:
        return _last_lookups[0][1]
    definitions: dict[str, ModelDef | AliasDef] = {}
    for d in api.definitions:
        definitions.setdefault(d.name, d)
    models: dict[str, ModelDef] = {}
    for m in api.models:
        models.setdefault(m.name, m)
    _last_lookups[:] = [(api, (definitions, models))]
    return definitions, models


def json_type(texpr: TypeExpr | str, api: Api, _depth: int = 0) -> str:
    """The JSON type name of a generated type expression (for the docs' datatype columns)."""
    annotation = texpr if isinstance(texpr, str) else texpr.annotation
    parts = [p.strip() for p in _top_level_union(annotation) if p.strip() != "None"]
    if len(parts) != 1:
        return "object" if parts else "null"
    base = parts[0]
    if base.startswith("Annotated["):
        base = _top_level_args(base[len("Annotated[") : -1])[0]
        return json_type(base, api, _depth + 1)
    if base in ("str", "datetime", "date", "bytes") or base.endswith("Str"):
        return "string"
    if base == "int":
        return "integer"
    if base == "float":
        return "number"
    if base == "bool":
        return "boolean"
    if base.startswith(("list[", "Sequence[", "tuple[")):
        return "array"
    if base.startswith("Literal["):
        values = _top_level_args(base[len("Literal[") : -1])
        if all(v.startswith(("'", '"')) for v in values):
            return "string"
        if all(v in ("True", "False") for v in values):
            return "boolean"
        return "integer"
    definition = _definitions(api).get(base)
    if isinstance(definition, AliasDef) and _depth < 8:
        return json_type(definition.type, api, _depth + 1)
    return "object"


def _top_level_args(text: str) -> list[str]:
    parts, depth, current, quote = [], 0, "", ""
    for char in text:
        if quote:
            current += char
            if char == quote:
                quote = ""
            continue
        if char in "'\"":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def _top_level_union(text: str) -> list[str]:
    parts, depth, current, quote = [], 0, "", ""
    for char in text:
        if quote:
            current += char
            if char == quote:
                quote = ""
            continue
        if char in "'\"":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    return parts


def _field_tables(api: Api, resource: Resource) -> tuple[FieldTable, ...]:
    tables = []
    for op in resource.operations:
        if op.http_method != "GET" or not op.response_model:  # what ``select`` reads
            continue
        name = op.response_model
        inner = re.fullmatch(r"(?:list|Sequence)\[(\w+)\]", name)
        model = _model(api, inner.group(1) if inner else name)
        rows: tuple[Row, ...] = ()
        if model is not None:
            rows = tuple(Row(f.wire_name, json_type(f.type, api), f.description, anchor(f.wire_name)) for f in model.fields)
        tables.append(FieldTable(op.method_name, rows))
    return tuple(tables)


def _sql_method(api: Api, resource: Resource, op: Operation, tables: Mapping[str, FieldTable]) -> SqlMethod:
    params = tuple(p.wire_name for p in op.params if p.location in ("path", "query"))
    required = tuple(p.wire_name for p in op.params if p.location in ("path", "query") and p.required)
    table = tables.get(op.method_name)
    return SqlMethod(
        name=op.method_name,
        description=op.description or op.summary,
        params=params,
        required_params=required,
        body_fields=body_field_order(api, op),
        fields=tuple(r.name for r in table.rows) if table else (),
    )


def resource_page(api: Api, resource: Resource) -> ResourcePage:
    """The current (StackQL MDX) layout's data for one resource."""
    provider, service = _names(api.service_id)
    parameters = resource_parameters(resource)
    documented = {p.name for p in parameters}
    entries = [method_entry(api, resource, op) for op in resource.operations]
    methods = []
    for op, entry in zip(resource.operations, entries, strict=True):
        methods.append(
            MethodRow(
                name=op.method_name,
                accessible_by=entry.accessible_by,
                required=(
                    *(ParamRef(n, anchor(n) if n in documented else None) for n in entry.required_params),
                    *(ParamRef(n, None) for n in entry.required_body),
                ),
                optional=tuple(ParamRef(n, anchor(n) if n in documented else None) for n in entry.optional),
                description=op.description or op.summary,
            )
        )
    tables = _field_tables(api, resource)
    by_method = {t.method: t for t in tables}

    def sql(kind: str) -> tuple[SqlMethod, ...]:
        return tuple(
            _sql_method(api, resource, op, by_method)
            for op, entry in zip(resource.operations, entries, strict=True)
            if entry.accessible_by == kind
        )

    return ResourcePage(
        name=resource.name,
        resource_id=f"{api.service_id}.{resource.name}",
        provider=provider,
        service=service,
        methods=tuple(methods),
        params=tuple(Row(p.name, p.datatype, p.description, anchor(p.name)) for p in parameters),
        field_tables=tables,
        selects=sql("select"),
        inserts=sql("insert"),
        updates=sql("update"),
        deletes=sql("delete"),
        execs=sql("exec"),
    )


def legacy_page(api: Api, resource: Resource) -> LegacyPage:
    """The older layout's data: legacy method names, ``data__`` body fields, sorted by name."""
    provider, service = _names(api.service_id)
    methods = []
    for op in resource.operations:
        entry = method_entry(api, resource, op)
        methods.append(
            LegacyMethodRow(
                name=legacy_snake(op.operation_id),
                accessible_by=entry.accessible_by,
                required=tuple(sorted([*entry.required_params, *(f"data__{n}" for n in entry.required_body)])),
                description=op.description or op.summary,
            )
        )
    return LegacyPage(
        name=resource.name,
        resource_id=f"{api.service_id}.{resource.name}",
        provider=provider,
        service=service,
        methods=tuple(sorted(methods, key=lambda m: m.name)),
        field_tables=_field_tables(api, resource),
    )


# --------------------------------------------------------------------------- API reference
@dataclass(frozen=True, slots=True)
class ArgumentDoc:
    name: str
    wire_name: str
    location: str
    annotation: str
    required: bool
    description: str


@dataclass(frozen=True, slots=True)
class MethodDoc:
    """One method in the API reference: its method-table row and what the reference adds."""

    entry: MethodEntry
    """Its row of the method table (name, HTTP method and path, the SQL verb, the documented parameters)."""
    attribute: str
    summary: str
    description: str
    signature: str
    """The method's signature as Python (``def name(self, *, ...) -> T``), black-formatted."""
    arguments: tuple[ArgumentDoc, ...]
    takes: tuple[str, ...]
    returns: tuple[str, ...]
    response_type: str
    success_status: int
    errors: tuple[ErrorDoc, ...]
    example: str
    """A runnable Python program calling the method with example values."""
    cli_example: str
    """The same call through ``python -m <package>``."""


def _mentioned(text: str, names: set[str]) -> list[str]:
    found: list[str] = []
    for name in _NAME.findall(text):
        if name in names and name not in found:
            found.append(name)
    return found


def signature(op: Operation) -> str:
    lines = [f"def {op.method_name}(", "    *,"]
    for p in op.params:
        lines.append(f"    {p.name}: {p.annotation}" + ("," if p.required else " | Omit = OMIT,"))
    lines += [
        "    extra_headers: Mapping[str, str] | None = None,",
        "    extra_query: Mapping[str, object] | None = None,",
        "    extra_body: Mapping[str, object] | None = None,",
        "    timeout: TimeoutTypes | Omit = OMIT,",
        "    max_retries: int | Omit = OMIT,",
        "    strict_response_validation: bool | Omit = OMIT,",
        f") -> {op.response_type}: ...",
    ]
    return "\n".join(lines) + "\n"


def _signature_text(formatted: str) -> str:
    """A formatted stub signature as the reference shows it: without the ``: ...`` body."""
    return formatted.replace(": ...\n", "\n")


Snippets = Callable[[list[str]], list[str]]
"""Formats a batch of code snippets (black, at the documentation's line length)."""


def black_snippets(texts: list[str]) -> list[str]:
    """The default :data:`Snippets`: black in this process, no cache."""
    from .format import format_snippets

    return format_snippets(texts)


def py_value(value: Any) -> str:
    """A Python expression for JSON data (``repr`` for scalars: exact and injection-safe)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_value(str(k))}: {py_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(py_value(v) for v in value) + "]"
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    return repr(str(value))


def python_example(api: Api, resource: Resource, op: Operation, values: Mapping[str, Any]) -> str:
    names = {p.name for p in op.params}
    args = "".join(f"{name}={py_value(value)}, " for name, value in values.items() if name in names)
    call = f"client.{resource.attribute}.{op.method_name}({args})"
    lines = [f"from {api.package} import {api.client_name}", ""]
    env = _env_comment(api)
    lines.append(f"with {api.client_name}() as client:{env}")
    if op.response_type == "None":
        lines.append(f"    {call}")
    else:
        lines += [f"    result = {call}", "    print(result)"]
    return "\n".join(lines) + "\n"


def _env_comment(api: Api) -> str:
    if api.auth.basic:
        return f"  # credentials from ${api.auth.key_env} and ${api.auth.secret_env}"
    if api.auth.bearer:
        return f"  # credentials from ${api.auth.token_env}"
    return ""


def cli_example(api: Api, resource: Resource, op: Operation, values: Mapping[str, Any]) -> str:
    words = ["python", "-m", api.package, resource.name, op.method_name]
    body: dict[str, Any] = {}
    flags: list[str] = []
    for p in op.params:
        if p.name not in values:
            continue
        value = values[p.name]
        if p.location == "body":
            if op.body_param is not None and p.name == op.body_param:
                words += ["--json", json.dumps(value)]
            else:
                body[p.wire_name] = value
        elif value is True and re.sub(r"[^a-z0-9]", "", p.wire_name.lower()) in _SAFE_FLAGS:
            flags.append("--dry-run")
        else:
            words += [f"--{p.wire_name}", value if isinstance(value, str) else json.dumps(value)]
    words += flags
    if body:
        words += ["--json", json.dumps(body)]
    return " ".join(shlex.quote(w) for w in words) + "\n"


def method_doc(
    api: Api,
    resource: Resource,
    op: Operation,
    *,
    examples: Mapping[str, Mapping[str, Any]],
    errors: Mapping[str, Sequence[ErrorDoc]],
) -> MethodDoc:
    definitions = set(_definitions(api))
    takes = _mentioned(" ".join([*(p.annotation for p in op.params), op.body_model or ""]), definitions)
    if op.body_model and op.body_model in takes:
        takes.remove(op.body_model)
        takes.insert(0, op.body_model)
    values = examples.get(op.operation_id, {})
    return MethodDoc(
        entry=method_entry(api, resource, op),
        attribute=resource.attribute,
        summary=op.summary,
        description=op.description,
        signature=signature(op),
        arguments=tuple(ArgumentDoc(p.name, p.wire_name, p.location, p.annotation, p.required, p.description) for p in op.params),
        takes=tuple(takes),
        returns=tuple(_mentioned(op.response_type, definitions)),
        response_type=op.response_type,
        success_status=op.success_status,
        errors=tuple(errors.get(op.operation_id, ())),
        example=python_example(api, resource, op, values),
        cli_example=cli_example(api, resource, op, values),
    )


def method_docs(
    api: Api,
    *,
    examples: Mapping[str, Mapping[str, Any]],
    errors: Mapping[str, Sequence[ErrorDoc]],
    snippets: Snippets = black_snippets,
) -> tuple[MethodDoc, ...]:
    """Every method's reference entry, its signature and example formatted by ``snippets``.

    The code is built first and formatted in one batch, so a cache and parallel workers serve
    the whole reference at once.
    """
    raw = [method_doc(api, r, op, examples=examples, errors=errors) for r in api.resources for op in r.operations]
    formatted = snippets([text for doc in raw for text in (doc.signature, doc.example)])
    return tuple(
        dataclasses.replace(doc, signature=_signature_text(formatted[2 * i]), example=formatted[2 * i + 1])
        for i, doc in enumerate(raw)
    )
