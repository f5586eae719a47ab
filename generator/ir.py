"""The intermediate representation: what the generated package will contain, as plain data.

:mod:`generator.model` builds these frozen dataclasses from a spec; :mod:`generator.render`
only places their precomputed text into templates. Every string here that came from the spec
is either a sanitised identifier or a Python literal made by :func:`py_literal`, so no spec
text can reach generated code unescaped.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import SpecError

__all__ = [
    "DEFAULT_STYLES",
    "AliasDef",
    "Api",
    "Auth",
    "FieldDef",
    "Import",
    "ModelDef",
    "Operation",
    "Pagination",
    "Param",
    "Resource",
    "TypeExpr",
    "py_json_literal",
    "py_literal",
]


def py_literal(value: object) -> str:
    """A Python literal for a JSON scalar: ``repr`` is exact and injection-safe for these types.

    Strings get double quotes wherever that takes no more escapes, as black (which formats every
    generated module) would write them: text it has nothing to change in costs it half as much.
    """
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return f'float("{value}")'  # nan, inf and -inf have no literal
    if isinstance(value, str) and '"' not in value:
        literal = repr(value)
        return literal if literal[0] == '"' else '"' + literal[1:-1] + '"'  # no quote inside: same escapes
    if isinstance(value, str) and "'" in value and value.count('"') <= value.count("'"):
        # Both quotes inside: double quotes need no more escapes than repr's single ones.
        return '"' + repr(value)[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    raise TypeError(f"not a JSON scalar: {type(value).__name__}")


def py_json_literal(value: object) -> str:
    """A Python literal for any JSON value (lists and string-keyed objects of scalars, nested)."""
    if isinstance(value, list):
        return "[" + ", ".join(py_json_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("object keys must be strings")
        return "{" + ", ".join(f"{py_literal(k)}: {py_json_literal(v)}" for k, v in value.items()) + "}"
    return py_literal(value)


@dataclass(frozen=True, slots=True, order=True)
class Import:
    """``from module import name``; collected per generated module and printed sorted."""

    module: str
    name: str


@dataclass(frozen=True, slots=True)
class TypeExpr:
    """A type as the generated code spells it.

    ``annotation`` is the model-side type; ``param_annotation`` is what a method accepts for it
    (a model, or a dict literal typed by the model's ``TypedDict``: ``Foo | FooParam``). ``refs`` names the generated classes and aliases
    the expression mentions, for ordering definitions.
    """

    annotation: str
    param_annotation: str
    imports: frozenset[Import] = frozenset()
    refs: frozenset[str] = frozenset()
    nullable: bool = False
    is_model: bool = False
    param_imports: frozenset[Import] = frozenset()
    """Imports ``param_annotation`` needs (``imports`` serves ``annotation``)."""
    literal: bool = False
    """An enum (``Literal[...]``): a response may bring values the spec does not list yet."""
    tagged: bool = False
    """A union with a discriminator: a response may bring a variant the spec does not list yet."""
    item: TypeExpr | None = None
    """The item type of a ``list[...]``."""
    dict_annotation: str = ""
    """The type as plain data only: every model replaced by its ``TypedDict`` (``FooParam``);
    empty when that is ``param_annotation`` (no model inside). What a ``...Param`` alias spells."""
    param_refs: frozenset[str] = frozenset()
    """The ``TypedDict`` names (of :mod:`params`) that ``param_annotation`` mentions."""

    @property
    def as_dict(self) -> str:
        return self.dict_annotation or self.param_annotation


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One property of a model."""

    name: str
    wire_name: str
    type: TypeExpr
    required: bool
    read_only: bool
    nullable: bool
    redact: bool
    description: str
    annotation: str
    """The full annotation, ``| None`` added for optional fields."""
    default: str | None
    """The right-hand side (``None``, a literal, or a ``Field(...)`` call); ``None`` if required without alias."""
    request_required: bool = False
    """Whether a request must carry it (the spec's ``required``, read-only ones excepted,
    write-only ones included): ``Required`` in the model's ``TypedDict``."""
    imports: frozenset[Import] = frozenset()
    """What ``annotation`` needs beyond ``type.imports`` (the lenient response types, the pattern check)."""
    checked: tuple[str, str] | None = None
    """With a pattern check, ``annotation`` is ``Annotated[inner, Pattern(args)]``: (inner, args)."""


@dataclass(frozen=True, slots=True)
class ModelDef:
    """A pydantic model class for an object schema (allOf parts merged in)."""

    name: str
    pointer: str
    description: str
    fields: tuple[FieldDef, ...]
    extra: str
    """pydantic ``extra`` setting: ``forbid`` for request-only ``additionalProperties: false``."""
    read_only: tuple[str, ...]
    nullable: tuple[str, ...]
    redacted: tuple[str, ...]
    """Python and wire names of ``x-redact`` fields (shown masked, never echoed in errors)."""
    refs: frozenset[str]
    param_name: str | None = None
    """Its ``TypedDict`` in ``params.py`` (``FooParam``), when a request can carry the model."""

    @property
    def request_fields(self) -> tuple[FieldDef, ...]:
        """What a request may carry: every field but the read-only ones."""
        return tuple(f for f in self.fields if not f.read_only)


@dataclass(frozen=True, slots=True)
class AliasDef:
    """A named type alias (unions, named non-object schemas) in ``models.py``."""

    name: str
    pointer: str
    description: str
    type: TypeExpr
    param_name: str | None = None
    """Its plain-data alias in ``params.py`` (``FooParam``), when a request can carry models of it."""


@dataclass(frozen=True, slots=True)
class Param:
    """One keyword argument of a method: an operation parameter or a request body property."""

    name: str
    wire_name: str
    location: str
    """``path``, ``query``, ``header``, ``cookie`` or ``body``."""
    annotation: str
    required: bool
    description: str
    datatype: str
    """The JSON type name for the docs' parameter table (``boolean``, ``string``...)."""
    runtime_type: str
    """The type expression the argument is validated against before sending."""
    style: str = ""
    """OpenAPI serialisation style (``form``, ``simple``, ``deepObject``...); body fields: empty."""
    explode: bool = False

    @property
    def signature(self) -> str:
        """The annotation in the method's signature: optional arguments also take ``OMIT``."""
        if self.required:
            return self.annotation
        if self.annotation == "None":
            return "Omit | None"
        base = self.annotation.removesuffix(" | None")
        return f"{base} | Omit | None" if base != self.annotation else f"{base} | Omit"


DEFAULT_STYLES: dict[str, tuple[str, bool]] = {
    "query": ("form", True),
    "cookie": ("form", True),
    "path": ("simple", False),
    "header": ("simple", False),
}


@dataclass(frozen=True, slots=True)
class Pagination:
    """A list operation in the Confluent style: ``page_token`` in, ``metadata.next`` out."""

    token_param: str
    """Python name of the page-token argument."""
    token_wire: str
    data_field: str
    metadata_field: str
    next_field: str
    item_type: str


@dataclass(frozen=True, slots=True)
class Operation:
    """One HTTP operation, as a method of a resource."""

    operation_id: str
    method_name: str
    resource: str
    http_method: str
    path: str
    pointer: str
    summary: str
    description: str
    params: tuple[Param, ...]
    body_model: str | None
    """The model the keyword arguments are validated into, or ``None`` for a non-object body."""
    body_param: str | None
    """The single ``body`` argument's name when the body is not an object model."""
    body_adapter: str | None
    """Type expression to validate a non-object body with."""
    content_type: str | None
    body_encoding: str
    """``json``, ``form`` (urlencoded) or ``multipart``: how the runtime sends the body."""
    accept: str
    """The ``Accept`` header: the success response's media types (JSON when it has none)."""
    success_status: int
    response_type: str
    """Return annotation: a type, ``None`` for empty responses."""
    response_model: str | None
    """Type expression the JSON body is validated into; ``None`` for no content."""
    error_model: str | None
    pagination: Pagination | None
    refs: frozenset[str]
    """Generated classes and aliases the method's signature and body mention."""
    imports: frozenset[Import]
    param_refs: frozenset[str] = frozenset()
    """The ``TypedDict`` names (of ``params.py``) the method's signature mentions."""

    @property
    def query(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "query")

    @property
    def path_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "path")

    @property
    def headers(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "header")

    @property
    def cookies(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "cookie")

    @property
    def body_fields(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "body")

    @property
    def styled(self) -> tuple[Param, ...]:
        """Parameters serialised other than the default for their location."""
        return tuple(
            p for p in self.params
            if p.location != "body" and (p.style, p.explode) != DEFAULT_STYLES[p.location]
        )


@dataclass(frozen=True, slots=True)
class Resource:
    """A group of operations, exposed as an attribute of the client (``client.signups``)."""

    name: str
    attribute: str
    class_name: str
    module: str
    operations: tuple[Operation, ...]


@dataclass(frozen=True, slots=True)
class Auth:
    """Which credentials the client takes, and the environment variables it falls back to."""

    basic: bool
    bearer: bool
    key_env: str
    secret_env: str
    token_env: str
    token_url: str = ""
    """The OAuth 2.0 client-credentials token endpoint (may be relative); empty when there is none."""
    scopes: tuple[str, ...] = ()
    """The scopes the operations require of that flow, requested with each token."""
    client_id_env: str = ""
    client_secret_env: str = ""


@dataclass(frozen=True, slots=True)
class Api:
    """Everything the templates need for one generated package."""

    title: str
    version: str
    description: str
    spec_file: str
    spec_sha256: str
    package: str
    distribution: str
    client_name: str
    log_env: str
    """Environment variable that switches the package's logging on (``=debug``)."""
    server_url: str
    service_id: str
    auth: Auth
    models: tuple[ModelDef, ...]
    aliases: tuple[AliasDef, ...]
    definitions: tuple[ModelDef | AliasDef, ...]
    """Models and aliases in dependency order (what ``models.py`` prints)."""
    resources: tuple[Resource, ...]
    paths: tuple[str, ...] = ()
    """Every path the document declares, operations or not (the docs' method table reads them)."""
    warnings: tuple[SpecError, ...] = ()
    """What the model found that does not change the code (reported, not rendered)."""

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for r in self.resources for op in r.operations)

    @property
    def param_definitions(self) -> tuple[ModelDef | AliasDef, ...]:
        """The definitions with a ``TypedDict`` (or plain-data alias) in ``params.py``, in order."""
        return tuple(d for d in self.definitions if d.param_name)
