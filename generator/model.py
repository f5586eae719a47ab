"""Stage 3: turn a validated document into the intermediate representation (:mod:`generator.ir`).

Everything the generated code says is decided here: class, alias, method and argument names;
type expressions; which fields are required, read-only, nullable or secret; which models reject
unknown fields. Problems the validator cannot see (a discriminator naming a property a variant
lacks, two operations that would become the same method, a pattern Python cannot compile) are
collected as :class:`SpecError` values and raised together.

Rules worth knowing when reading generated code:

* A component schema that is an object (or an ``allOf`` of objects) becomes a model; ``allOf``
  parts are merged into one flat model (their ``required`` lists united), not subclassed.
* ``oneOf`` / ``anyOf`` become a union alias; with a ``discriminator`` the variants' property
  is typed as the ``Literal`` of their mapping values and the union is a tagged union.
* Read-only properties are optional in models and never sent; an optional property that is not
  ``nullable`` is omitted from requests when it is ``None``.
* ``additionalProperties: false`` forbids unknown fields only on models that appear in requests
  alone: a model the server sends back tolerates (and keeps) new fields.
* The resource of an operation is its ``x-resource``, else its first tag's ``x-resource``, else
  the first tag snake-cased, else ``default``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import naming
from .errors import SpecError, SpecErrors, escape_pointer_token, pointer
from .ir import (
    AliasDef,
    Api,
    Auth,
    DocParam,
    FieldDef,
    Import,
    ModelDef,
    Operation,
    Param,
    Resource,
    TypeExpr,
    py_literal,
)
from .load import Document

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Names that generated modules import or define themselves; nothing from a spec may take them.
RESERVED_CLASS_NAMES = frozenset(
    {"Any", "Annotated", "ClassVar", "Field", "Literal", "TypeAlias", "Model", "Omit", "OMIT",
     "Union", "Mapping", "Sequence", "date", "datetime", "httpx", "annotations"}
)
RESERVED_FIELD_NAMES = naming.PYDANTIC_RESERVED | {
    "self", "date", "datetime", "Any", "Literal", "Field", "Annotated", "ClassVar", "TypeAlias",
}
RESERVED_ARGUMENTS = frozenset(
    {"self", "extra_headers", "extra_query", "timeout", "max_retries", "cast_to", "httpx", "Any"}
)
_BADGE = re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)|!\[[^\]]*\]\([^)]*\)")
_SUCCESS = re.compile(r"^2\d\d$")

_PRIMITIVES: dict[str, str] = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_FORMATS: dict[str, tuple[str, Import | None]] = {
    "date-time": ("datetime", Import("datetime", "datetime")),
    "date": ("date", Import("datetime", "date")),
    "binary": ("bytes", None),
}
# Checked string formats: the model type validates, the method argument is a plain str.
_CHECKED_FORMATS: dict[str, str] = {
    "email": "EmailStr",
    "uri": "UriStr",
    "uuid": "UuidStr",
    "hostname": "HostnameStr",
    "ipv4": "IPv4Str",
    "ipv6": "IPv6Str",
}
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_ANY = TypeExpr("Any", "Any", frozenset({Import("typing", "Any")}), param_imports=frozenset({Import("typing", "Any")}))


def strip_badges(text: str) -> str:
    """Remove Markdown image badges (lifecycle stickers) and the blank lines they leave."""
    lines = [line.rstrip() for line in _BADGE.sub("", text).splitlines()]
    return "\n".join(lines).strip()


@dataclass
class _Usage:
    request: set[str] = field(default_factory=set)
    response: set[str] = field(default_factory=set)


@dataclass
class _PendingModel:
    name: str
    pointer: str
    description: str
    properties: list[tuple[str, Any, str]]  # wire name, schema, pointer
    required: set[str]
    forbid_extra: bool
    read_only_schema: bool


class _Builder:
    """Walks the document once; holds the name tables that make the walk deterministic."""

    def __init__(self, doc: Document, package: str) -> None:
        self.doc = doc
        self.package = package
        self.errors: list[SpecError] = []
        self.class_names = naming.NameAllocator(RESERVED_CLASS_NAMES)
        self.component_names: dict[str, str] = {}
        self.types: dict[str, TypeExpr] = {}
        self.inline_types: dict[str, TypeExpr] = {}
        self.building: set[str] = set()
        self.pending: dict[str, _PendingModel] = {}
        self.aliases: dict[str, AliasDef] = {}
        self.discriminated: dict[str, dict[str, set[str]]] = {}  # model -> property -> values
        self.order: list[str] = []
        self.owners: dict[str, str] = {}  # pointer of an object schema -> its class name
        schemas = self.components("schemas")
        for key in schemas:
            ref = "#/components/schemas/" + escape_pointer_token(key)
            self.component_names[ref] = self.class_names.allocate(
                naming.pascal_identifier(key, fallback="Schema"), separator=""
            )

    # ----------------------------------------------------------------- helpers
    def components(self, kind: str) -> dict[str, Any]:
        comps = self.doc.root.get("components") or {}
        found = comps.get(kind) or {}
        return found if isinstance(found, dict) else {}

    def error(self, at: str, message: str) -> None:
        self.errors.append(SpecError(self.doc.file, at, message))

    def deref(self, node: Any, at: str) -> tuple[Any, str]:
        """Follow ``$ref`` chains; returns the node and the pointer where it lives."""
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                self.error(at, f"$ref cycle through {ref!r}")
                return {}, at
            seen.add(ref)
            node, at = self.doc.resolve(ref), ref[1:]
        return node, at

    # ----------------------------------------------------------------- types
    def type_of(self, schema: Any, at: str, hint: str) -> TypeExpr:
        """The type expression for ``schema``; ``hint`` names it if it needs a class."""
        if not isinstance(schema, dict):
            return _ANY
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self.type_of_ref(ref, at)
        cached = self.inline_types.get(at)
        if cached is None:
            cached = self.inline_types[at] = self.type_of_inline(schema, at, hint)
        return cached

    def type_of_ref(self, ref: str, at: str) -> TypeExpr:
        if ref in self.types:
            return self.types[ref]
        target = self.doc.resolve(ref)
        name = self.component_names.get(ref)
        if name is None:  # a ref into paths or elsewhere: name it after its last token
            tail = ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
            name = self.class_names.allocate(naming.pascal_identifier(tail, fallback="Schema"), separator="")
            self.component_names[ref] = name
        if ref in self.building:  # recursion: the class exists by the time anyone validates
            return _named(name, is_model=True)
        self.building.add(ref)
        try:
            texpr = self.type_of_inline(target if isinstance(target, dict) else {}, ref[1:], name, named=True)
        finally:
            self.building.discard(ref)
        self.types[ref] = texpr
        return texpr

    def type_of_inline(self, schema: dict[str, Any], at: str, hint: str, *, named: bool = False) -> TypeExpr:
        nullable = schema.get("nullable") is True
        types = schema.get("type")
        if isinstance(types, list):  # OpenAPI 3.1
            nullable = nullable or "null" in types
            types = [t for t in types if t != "null"]
            if len(types) == 1:
                types = types[0]
            elif not types:
                types = None
        if "const" in schema:
            texpr = self.literal_type([schema["const"]], at)
        elif isinstance(schema.get("enum"), list):
            values = schema["enum"]
            nullable = nullable or None in values
            texpr = self.literal_type([v for v in values if v is not None], at)
        elif "oneOf" in schema or "anyOf" in schema:
            texpr = self.union_type(schema, at, hint, named=named)
            if named:
                return _maybe_null(texpr, nullable)
        elif "allOf" in schema:
            texpr = self.all_of_type(schema, at, hint, named=named)
        elif types == "object" or "properties" in schema or (types is None and "additionalProperties" in schema):
            texpr = self.object_type(schema, at, hint, named=named)
        elif types == "array":
            item = self.type_of(schema.get("items"), at + "/items", hint + "Item")
            texpr = TypeExpr(
                f"list[{item.annotation}]",
                f"Sequence[{item.param_annotation}]",
                item.imports,
                item.refs,
                param_imports=item.param_imports | {Import("collections.abc", "Sequence")},
            )
        elif isinstance(types, str) and types in _PRIMITIVES:
            texpr = self.primitive_type(types, schema)
        elif isinstance(types, list):
            parts = [self.primitive_type(t, schema) for t in types if t in _PRIMITIVES]
            texpr = _union(parts) if parts else _ANY
        else:
            texpr = _ANY
        return _maybe_null(texpr, nullable)

    def primitive_type(self, kind: str, schema: dict[str, Any]) -> TypeExpr:
        fmt = schema.get("format")
        if kind == "string" and isinstance(fmt, str) and fmt in _FORMATS:
            name, imp = _FORMATS[fmt]
            imports = frozenset({imp}) if imp else frozenset()
            return TypeExpr(name, name, imports, param_imports=imports)
        if kind == "string" and isinstance(fmt, str) and fmt in _CHECKED_FORMATS:
            checked = _CHECKED_FORMATS[fmt]
            return TypeExpr(checked, "str", frozenset({Import("._formats", checked)}))
        name = _PRIMITIVES[kind]
        if kind == "number":  # JSON numbers may arrive as integers
            return TypeExpr("float", "float")
        return TypeExpr(name, name)

    def literal_type(self, values: list[Any], at: str) -> TypeExpr:
        scalars = [v for v in values if isinstance(v, (str, int, bool)) and not isinstance(v, float)]
        if len(scalars) != len(values) or not values:
            self.error(at, "enum values must be strings, integers or booleans")
            return _ANY
        literal = "Literal[" + ", ".join(py_literal(v) for v in dict.fromkeys(values)) + "]"
        imports = frozenset({Import("typing", "Literal")})
        return TypeExpr(literal, literal, imports, param_imports=imports)

    def union_type(self, schema: dict[str, Any], at: str, hint: str, *, named: bool) -> TypeExpr:
        key = "oneOf" if "oneOf" in schema else "anyOf"
        variants_raw = schema.get(key)
        if not isinstance(variants_raw, list) or not variants_raw:
            self.error(f"{at}/{key}", f"{key} must be a non-empty list")
            return _ANY
        variants: list[TypeExpr] = []
        nullable = False
        for index, variant in enumerate(variants_raw):
            if isinstance(variant, dict) and variant.get("type") == "null":
                nullable = True
                continue
            variants.append(self.type_of(variant, f"{at}/{key}/{index}", f"{hint}{index + 1}"))
        texpr = _union(variants) if variants else _ANY
        disc = schema.get("discriminator")
        if isinstance(disc, dict) and variants:
            texpr = self.tag_union(schema, disc, variants_raw, variants, at, texpr)
        texpr = _maybe_null(texpr, nullable)
        if named:
            alias = AliasDef(hint, at, _text(schema.get("description")), texpr)
            self.aliases[hint] = alias
            self.order.append(hint)
            return _named(hint, is_model=texpr.is_model)
        return texpr

    def tag_union(
        self,
        schema: dict[str, Any],
        disc: dict[str, Any],
        raw: list[Any],
        variants: list[TypeExpr],
        at: str,
        plain: TypeExpr,
    ) -> TypeExpr:
        prop = disc.get("propertyName")
        if not isinstance(prop, str) or not prop:
            self.error(f"{at}/discriminator", "discriminator needs a propertyName")
            return plain
        mapping = disc.get("mapping") or {}
        values_by_ref: dict[str, list[str]] = {}
        for value, target in mapping.items() if isinstance(mapping, dict) else ():
            if isinstance(target, str):
                target_ref = target if target.startswith("#") else "#/components/schemas/" + escape_pointer_token(target)
                values_by_ref.setdefault(target_ref, []).append(str(value))
        for index, variant in enumerate(raw):
            ref = variant.get("$ref") if isinstance(variant, dict) else None
            where = f"{at}/oneOf/{index}" if "oneOf" in schema else f"{at}/anyOf/{index}"
            if not isinstance(ref, str) or ref not in self.component_names:
                self.error(where, "a discriminated union's variants must be $refs to component schemas")
                return plain
            model = self.component_names[ref]
            if model not in self.pending:
                self.error(where, f"variant {model} is not an object schema, so it cannot carry the discriminator {prop!r}")
                return plain
            if not any(wire == prop for wire, _, _ in self.pending[model].properties):
                self.error(where, f"variant {model} has no property {prop!r} named by the discriminator")
                return plain
            values = values_by_ref.get(ref) or [ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")]
            self.discriminated.setdefault(model, {}).setdefault(prop, set()).update(values)
        annotation = f"Annotated[{plain.annotation}, Field(discriminator={py_literal(prop)})]"
        return TypeExpr(
            annotation,
            plain.param_annotation,
            plain.imports | {Import("typing", "Annotated"), Import("pydantic", "Field")},
            plain.refs,
            is_model=True,
            param_imports=plain.param_imports,
        )

    def all_of_type(self, schema: dict[str, Any], at: str, hint: str, *, named: bool) -> TypeExpr:
        parts = schema.get("allOf")
        if not isinstance(parts, list) or not parts:
            self.error(f"{at}/allOf", "allOf must be a non-empty list")
            return _ANY
        extra_keys = set(schema) - {"allOf", "description", "title", "nullable", "readOnly", "writeOnly", "example", "examples", "deprecated", "externalDocs"}
        if len(parts) == 1 and not extra_keys and not named:
            return self.type_of(parts[0], f"{at}/allOf/0", hint)
        union = self.union_in_all_of(parts, at, hint, named=named)
        if union is not None:
            return union
        return self.object_type(schema, at, hint, named=named)

    def union_in_all_of(self, parts: list[Any], at: str, hint: str, *, named: bool) -> TypeExpr | None:
        """``allOf: [<a oneOf>, {required: [...]}]``: the union, its variants unchanged.

        The other parts may only add constraints (``required``, descriptions); properties
        added next to a union would have to be distributed over its variants, which is not
        supported and reported.
        """
        union_parts: list[int] = []
        adds_properties = False
        for index, part in enumerate(parts):
            node, _ = self.deref(part, f"{at}/allOf/{index}")
            if not isinstance(node, dict):
                continue
            if "oneOf" in node or "anyOf" in node:
                union_parts.append(index)
            elif node.get("properties") or node.get("allOf") or isinstance(node.get("additionalProperties"), dict):
                adds_properties = True
        if not union_parts:
            return None
        if len(union_parts) > 1 or adds_properties:
            self.error(at + "/allOf", "allOf that combines a oneOf/anyOf with other properties is not supported")
            return _ANY
        index = union_parts[0]
        texpr = self.type_of(parts[index], f"{at}/allOf/{index}", hint)
        if named:
            self.aliases[hint] = AliasDef(hint, at, "", texpr)
            self.order.append(hint)
            return _named(hint, is_model=texpr.is_model)
        return texpr

    def object_type(self, schema: dict[str, Any], at: str, hint: str, *, named: bool) -> TypeExpr:
        merged = self.merge_object(schema, at)
        if merged is None:
            return _ANY
        properties, required, forbid, described = merged
        if not properties:
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                value = self.type_of(extra, at + "/additionalProperties", hint + "Value")
                return TypeExpr(
                    f"dict[str, {value.annotation}]",
                    f"Mapping[str, {value.param_annotation}]",
                    value.imports,
                    value.refs,
                    param_imports=value.param_imports | {Import("collections.abc", "Mapping")},
                )
            if not schema.get("allOf"):
                return TypeExpr(
                    "dict[str, Any]",
                    "Mapping[str, Any]",
                    frozenset({Import("typing", "Any")}),
                    param_imports=frozenset({Import("typing", "Any"), Import("collections.abc", "Mapping")}),
                )
        # A component's name was allocated up front; an inline schema gets a fresh one.
        name = hint if named else self.class_names.allocate(hint, separator="")
        self.owners[at] = name
        self.pending[name] = _PendingModel(
            name=name,
            pointer=at,
            description=described,
            properties=properties,
            required=required,
            forbid_extra=forbid,
            read_only_schema=schema.get("readOnly") is True,
        )
        # Field types are resolved after the model is registered, so recursion finds it.
        self.order.append(name)
        return _named(name, is_model=True)

    def merge_object(self, schema: dict[str, Any], at: str) -> tuple[list[tuple[str, Any, str]], set[str], bool, str] | None:
        """Flatten ``allOf`` parts: properties in first-seen order, required lists united."""
        properties: dict[str, tuple[Any, str]] = {}
        required: set[str] = set()
        forbid = False
        description = _text(schema.get("description"))
        stack_seen: set[str] = set()

        def visit(node: Any, where: str) -> None:
            nonlocal forbid, description
            node, where = self.deref(node, where)
            if not isinstance(node, dict):
                return
            if where in stack_seen:
                return
            stack_seen.add(where)
            if not description:
                description = _text(node.get("description"))
            for index, part in enumerate(node.get("allOf") or ()):
                visit(part, f"{where}/allOf/{index}")
            props = node.get("properties") or {}
            if isinstance(props, dict):
                for wire, prop in props.items():
                    properties[wire] = (prop, f"{where}/properties/{escape_pointer_token(wire)}")
            req = node.get("required") or ()
            if isinstance(req, list):
                required.update(r for r in req if isinstance(r, str))
            if node.get("additionalProperties") is False:
                forbid = True
            if node.get("oneOf") or node.get("anyOf"):
                self.error(where, "oneOf/anyOf inside allOf is not supported; use a discriminated oneOf of complete schemas")

        visit(schema, at)
        # JSON Schema lets ``required`` name properties it does not describe: they must be
        # present, with any value. They become fields of type Any.
        for name in sorted(required - set(properties)):
            properties[name] = ({}, f"{at}/required")
        listed = [(wire, prop, where) for wire, (prop, where) in properties.items()]
        return listed, required, forbid, description

    def property_hint(self, where: str, wire: str, fallback_owner: str) -> str:
        """Name for an inline property schema: the class that declares it + the property."""
        owner_at = where.rsplit("/properties/", 1)[0]
        owner = self.owners.get(owner_at, fallback_owner)
        return owner + naming.pascal_identifier(wire, fallback="Field")

    # ----------------------------------------------------------------- models
    def finish_models(self, usage: _Usage) -> list[ModelDef]:
        """Resolve every pending model's fields (types may add more models as they go)."""
        done: dict[str, ModelDef] = {}
        while len(done) < len(self.pending):
            for name in list(self.pending):
                if name not in done:
                    done[name] = self.build_model(self.pending[name], usage)
        return [done[name] for name in self.pending]

    def build_model(self, pm: _PendingModel, usage: _Usage) -> ModelDef:
        names = naming.NameAllocator(RESERVED_FIELD_NAMES)
        fields: list[FieldDef] = []
        refs: set[str] = set()
        tags = self.discriminated.get(pm.name, {})
        for wire, prop, where in pm.properties:
            resolved, _ = self.deref(prop, where)
            resolved = resolved if isinstance(resolved, dict) else {}
            if wire in tags:
                texpr = self.literal_type(sorted(tags[wire]), where)
            else:
                texpr = self.type_of(prop, where, self.property_hint(where, wire, pm.name))
            refs |= texpr.refs
            candidate = wire if wire.isidentifier() and wire.isascii() else naming.snake(wire)
            name = names.allocate(naming.identifier(candidate, fallback="field", reserved=RESERVED_FIELD_NAMES))
            read_only = pm.read_only_schema or _flag(prop, resolved, "readOnly")
            # A discriminator property must be present for the tagged union to pick a variant.
            required = (wire in pm.required and not read_only) or wire in tags
            nullable = texpr.nullable
            constraints = self.constraints(resolved, where)
            annotation = texpr.annotation if required or nullable else f"{texpr.annotation} | None"
            kwargs: list[str] = []
            if not required:
                default = resolved.get("default")
                if wire not in tags and isinstance(default, (str, int, float, bool)) and not read_only and _fits(texpr, default):
                    kwargs.append(f"default={py_literal(default)}")
                else:
                    kwargs.append("default=None")
            if name != wire:
                kwargs.append(f"alias={py_literal(wire)}")
            kwargs.extend(constraints)
            redact = _flag(prop, resolved, "x-redact")
            if kwargs == ["default=None"]:
                default_expr: str | None = "None"
            elif kwargs and kwargs[0].startswith("default=") and len(kwargs) == 1:
                default_expr = kwargs[0].removeprefix("default=")
            elif kwargs:
                default_expr = "Field(" + ", ".join(kwargs) + ")"
            else:
                default_expr = None
            fields.append(
                FieldDef(
                    name=name,
                    wire_name=wire,
                    type=texpr,
                    required=required,
                    read_only=read_only,
                    nullable=nullable,
                    redact=redact,
                    description=_text(resolved.get("description") or (prop.get("description") if isinstance(prop, dict) else None)),
                    annotation=annotation,
                    default=default_expr,
                )
            )
        forbid = pm.forbid_extra and pm.name in usage.request and pm.name not in usage.response
        return ModelDef(
            name=pm.name,
            pointer=pm.pointer,
            description=pm.description,
            fields=tuple(fields),
            extra="forbid" if forbid else "allow",
            read_only=tuple(f.wire_name for f in fields if f.read_only),
            nullable=tuple(f.wire_name for f in fields if f.nullable),
            redacted=tuple(sorted({n for f in fields if f.redact for n in (f.name, f.wire_name)})),
            refs=frozenset(refs),
        )

    def constraints(self, schema: dict[str, Any], at: str) -> list[str]:
        out: list[str] = []
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as exc:
                self.error(at + "/pattern", f"pattern does not compile as a regular expression: {exc}")
            else:
                out.append(f"pattern={py_literal(pattern)}")
        for key, arg in (("minLength", "min_length"), ("maxLength", "max_length"), ("minItems", "min_length"), ("maxItems", "max_length")):
            value = schema.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                out.append(f"{arg}={value}")
        fmt_range = _INT_RANGES.get(str(schema.get("format"))) if schema.get("type") == "integer" else None
        if fmt_range is not None:
            if not isinstance(schema.get("minimum"), (int, float)) and "exclusiveMinimum" not in schema:
                out.append(f"ge={fmt_range[0]}")
            if not isinstance(schema.get("maximum"), (int, float)) and "exclusiveMaximum" not in schema:
                out.append(f"le={fmt_range[1]}")
        for key, arg, exclusive in (("minimum", "ge", "gt"), ("maximum", "le", "lt")):
            value = schema.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                excl = schema.get("exclusiveMinimum" if key == "minimum" else "exclusiveMaximum")
                out.append(f"{exclusive if excl is True else arg}={py_literal(value)}")
        for key, arg in (("exclusiveMinimum", "gt"), ("exclusiveMaximum", "lt")):
            value = schema.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                out.append(f"{arg}={py_literal(value)}")
        return out


def _flag(prop: Any, resolved: dict[str, Any], key: str) -> bool:
    return (isinstance(prop, dict) and prop.get(key) is True) or resolved.get(key) is True


def _fits(texpr: TypeExpr, value: object) -> bool:
    base = texpr.annotation.removesuffix(" | None")
    if base.startswith("Literal["):
        return py_literal(value) in base
    if isinstance(value, bool):
        return base == "bool"
    if base == "float":
        return isinstance(value, (int, float))
    return (base == "str" and isinstance(value, str)) or (base == "int" and isinstance(value, int))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _named(name: str, *, is_model: bool) -> TypeExpr:
    if is_model:
        any_ = frozenset({Import("typing", "Any")})
        return TypeExpr(name, f"{name} | dict[str, Any]", frozenset(), frozenset({name}), is_model=True, param_imports=any_)
    return TypeExpr(name, name, frozenset(), frozenset({name}))


def _maybe_null(texpr: TypeExpr, nullable: bool) -> TypeExpr:
    if not nullable or texpr.nullable or texpr.annotation == "Any":
        return texpr
    return TypeExpr(
        f"{texpr.annotation} | None",
        f"{texpr.param_annotation} | None",
        texpr.imports,
        texpr.refs,
        nullable=True,
        is_model=texpr.is_model,
        param_imports=texpr.param_imports,
    )


def _union(parts: list[TypeExpr]) -> TypeExpr:
    unique: dict[str, TypeExpr] = {}
    for part in parts:
        unique.setdefault(part.annotation, part)
    items = list(unique.values())
    if len(items) == 1:
        return items[0]
    annotation = " | ".join(p.annotation for p in items)
    model_parts = [p.annotation for p in items if p.is_model]
    other = [p.param_annotation for p in items if not p.is_model]
    param = " | ".join([*model_parts, *other, *(["dict[str, Any]"] if model_parts else [])])
    imports: frozenset[Import] = frozenset().union(*(p.imports for p in items))
    param_imports: frozenset[Import] = frozenset().union(*(p.param_imports for p in items))
    if model_parts:
        param_imports |= {Import("typing", "Any")}
    refs: frozenset[str] = frozenset().union(*(p.refs for p in items))
    return TypeExpr(annotation, param, imports, refs, is_model=bool(model_parts), param_imports=param_imports)


# --------------------------------------------------------------------- operations
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


def build(doc: Document, *, package: str) -> Api:
    """Build the :class:`~generator.ir.Api` for ``doc``; raise :class:`SpecErrors` on problems."""
    b = _Builder(doc, package)
    # Components first, in document order, so names and definition order follow the spec.
    for key in b.components("schemas"):
        b.type_of_ref("#/components/schemas/" + escape_pointer_token(key), "")
    usage = _Usage()
    resources: dict[str, list[Operation]] = {}
    method_names: dict[tuple[str, str], str] = {}
    op_ids: dict[str, str] = {}
    paths = doc.root.get("paths") or {}
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            at = pointer("paths", path, method)
            built = _operation(b, doc, path, method, item, op, at, usage)
            if built is None:
                continue
            if built.operation_id in op_ids:
                b.error(at + "/operationId", f"operationId {built.operation_id!r} is also used at {op_ids[built.operation_id]}")
                continue
            op_ids[built.operation_id] = at
            method_key = (built.resource, built.method_name)
            if method_key in method_names:
                b.error(at, f"operation maps to method {built.resource}.{built.method_name}, as does the operation at {method_names[method_key]}")
                continue
            method_names[method_key] = at
            resources.setdefault(built.resource, []).append(built)
    _propagate_usage(b, usage)
    models = b.finish_models(usage)
    if b.errors:
        raise SpecErrors(b.errors)
    info = doc.root.get("info") or {}
    servers = doc.root.get("servers") or []
    server_url = servers[0].get("url", "") if servers and isinstance(servers[0], dict) else ""
    client_name = info.get("x-client-name")
    if not (isinstance(client_name, str) and client_name.isidentifier() and client_name.isascii()):
        client_name = "Client"
    log_env = info.get("x-log-env")
    if not (isinstance(log_env, str) and re.fullmatch(r"[A-Z_][A-Z0-9_]*", log_env)):
        log_env = package.upper() + "_LOG"
    attr_names = naming.NameAllocator({"with_options", "close", "base_url", "timeout"})
    class_names = naming.NameAllocator(RESERVED_CLASS_NAMES)
    module_names = naming.NameAllocator({"__init__"})
    resource_defs = []
    for name, ops in resources.items():
        attribute = attr_names.allocate(naming.identifier(name, fallback="resource"))
        doc_params: dict[str, DocParam] = {}
        for op in ops:
            for p in op.params:
                if p.location != "body":
                    doc_params.setdefault(p.wire_name, DocParam(p.wire_name, p.datatype, p.description))
        resource_defs.append(
            Resource(
                name=name,
                attribute=attribute,
                class_name=class_names.allocate(naming.pascal_identifier(name, fallback="Resource") + "Resource", separator=""),
                module=module_names.allocate(attribute),
                operations=tuple(ops),
                doc_params=tuple(doc_params.values()),
            )
        )
    model_by_name = {m.name: m for m in models}
    definitions = _dependency_order(b.order, model_by_name, b.aliases)
    return Api(
        title=_text(info.get("title")),
        version=str(info.get("version", "")),
        description=_text(info.get("description")),
        spec_file=doc.file,
        spec_sha256=doc.sha256,
        package=package,
        distribution=package.replace("_", "-"),
        client_name=client_name,
        log_env=log_env,
        server_url=server_url if isinstance(server_url, str) else "",
        service_id=_service_id(package),
        auth=_auth(doc, package),
        models=tuple(models),
        aliases=tuple(b.aliases.values()),
        definitions=definitions,
        resources=tuple(resource_defs),
    )


def _service_id(package: str) -> str:
    """``confluent_partner_v2`` -> ``confluent.partner``: the dotted id the docs use."""
    parts = package.split("_")
    return ".".join(p for p in parts if not re.fullmatch(r"v\d+", p)) or package


def _auth(doc: Document, package: str) -> Auth:
    schemes = ((doc.root.get("components") or {}).get("securitySchemes") or {}).values()
    basic = bearer = False
    envs: dict[str, str] = {}
    prefix = package.upper()
    for scheme in schemes:
        if not isinstance(scheme, dict):
            continue
        kind, how = scheme.get("type"), str(scheme.get("scheme", "")).lower()
        listed = scheme.get("x-env-vars")
        env: list[Any] = listed if isinstance(listed, list) else []
        if kind == "http" and how == "basic":
            basic = True
            if len(env) == 2:
                envs["key"], envs["secret"] = str(env[0]), str(env[1])
        elif (kind == "http" and how == "bearer") or kind in ("oauth2", "openIdConnect"):
            bearer = True
            if len(env) == 1:
                envs["token"] = str(env[0])
    for value in envs.values():
        if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", value):
            raise SpecErrors([SpecError(doc.file, "/components/securitySchemes", f"x-env-vars: {value!r} is not an environment variable name")])
    return Auth(
        basic=basic,
        bearer=bearer,
        key_env=envs.get("key", f"{prefix}_API_KEY"),
        secret_env=envs.get("secret", f"{prefix}_API_SECRET"),
        token_env=envs.get("token", f"{prefix}_BEARER_TOKEN"),
    )


def _operation(
    b: _Builder,
    doc: Document,
    path: str,
    method: str,
    item: dict[str, Any],
    op: dict[str, Any],
    at: str,
    usage: _Usage,
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

    def use(texpr: TypeExpr, *, as_param: bool = True) -> TypeExpr:
        refs.update(texpr.refs)
        imports.update(texpr.param_imports if as_param else texpr.imports)
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
        description = _text(param.get("description"))
        datatype = _datatype(b.deref(schema, param_at)[0])
        params.append(Param(name, wire, location, texpr.param_annotation, required, description, datatype, texpr.annotation))
        (required_doc if required else optional_doc).append(wire)
    for wire in sorted(declared - {w for (w, loc) in merged if loc == "path"}):
        b.error(at, f"path template variable {{{wire}}} has no path parameter")

    body_model = body_param = body_adapter = content_type = None
    body_encoding = "json"
    raw_body = op.get("requestBody")
    if raw_body is not None:
        body, body_at = b.deref(raw_body, at + "/requestBody")
        content = body.get("content") if isinstance(body, dict) else None
        media_type, body_encoding = _body_media(content)
        if media_type is None or not isinstance(content, dict):
            kinds = ", ".join(sorted(content)) if isinstance(content, dict) else "none"
            b.error(
                body_at + "/content",
                f"request body content type(s) {kinds} not supported; "
                "use JSON, application/x-www-form-urlencoded or multipart/form-data",
            )
            return None
        content_type = media_type
        schema = content[media_type].get("schema") if isinstance(content[media_type], dict) else None
        texpr = b.type_of(schema, f"{body_at}/content/{escape_pointer_token(media_type)}/schema", op_pascal + "Request")
        usage.request |= texpr.refs
        pm = b.pending.get(texpr.annotation)
        if pm is not None:
            body_model = pm.name
            for wire, prop, where in pm.properties:
                resolved, _ = b.deref(prop, where)
                resolved = resolved if isinstance(resolved, dict) else {}
                if pm.read_only_schema or _flag(prop, resolved, "readOnly"):
                    continue
                ftype = use(b.type_of(prop, where, b.property_hint(where, wire, pm.name)))
                required = wire in pm.required
                name = args.allocate(naming.snake_identifier(wire, fallback="field", reserved=RESERVED_ARGUMENTS))
                params.append(Param(name, wire, "body", ftype.param_annotation, required, _text(resolved.get("description")), _datatype(resolved), ftype.annotation))
                if required:
                    required_doc.append(wire)
        else:
            use(texpr)
            use(texpr, as_param=False)  # validated as the model-side type
            body_param = args.allocate("body")
            body_adapter = texpr.annotation
            required = isinstance(body, dict) and body.get("required") is True
            params.append(Param(body_param, "body", "body", texpr.param_annotation, required, _text(body.get("description") if isinstance(body, dict) else ""), _datatype(schema), texpr.annotation))

    responses = op.get("responses") or {}
    success = sorted(code for code in responses if _SUCCESS.match(code))
    if not success:
        b.error(at + "/responses", "the operation defines no 2XX response")
        return None
    status = success[0]
    resp, resp_at = b.deref(responses[status], f"{at}/responses/{status}")
    response_type, response_model = "None", None
    resp_content = resp.get("content") if isinstance(resp, dict) else None
    if isinstance(resp_content, dict) and resp_content:
        media_type = _json_media(resp_content)
        if media_type is None:
            b.error(resp_at + "/content", "non-JSON success responses are not supported yet")
            return None
        media = resp_content[media_type]
        texpr = use(
            b.type_of(media.get("schema") if isinstance(media, dict) else None, f"{resp_at}/content/{escape_pointer_token(media_type)}/schema", op_pascal + "Response"),
            as_param=False,
        )
        usage.response |= texpr.refs
        response_type = response_model = texpr.annotation
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
        summary=_text(op.get("summary")),
        description=strip_badges(_text(op.get("description"))),
        params=tuple(sorted(params, key=lambda p: not p.required)),
        body_model=body_model,
        body_param=body_param,
        body_adapter=body_adapter,
        content_type=content_type,
        body_encoding=body_encoding,
        success_status=int(status),
        response_type=response_type,
        response_model=response_model,
        error_model=error_model,
        documented_required=tuple(required_doc),
        documented_optional=tuple(optional_doc),
        accessible_by=_accessible_by(doc, path, method),
        refs=frozenset(refs),
        imports=frozenset(imports),
    )


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
        paths = doc.root.get("paths") or {}
        if any(p.startswith(prefix) and p.count("/") == path.rstrip("/").count("/") + 1 for p in paths):
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
    return None, "json"


def _json_media(content: Any) -> str | None:
    if not isinstance(content, dict):
        return None
    for media_type in content:
        base = media_type.split(";", 1)[0].strip().lower()
        if base == "application/json" or base.endswith("+json"):
            return str(media_type)
    return None


def _propagate_usage(b: _Builder, usage: _Usage) -> None:
    """Close request/response usage over model references (a model inside a response is one too)."""
    for seen in (usage.request, usage.response):
        queue = list(seen)
        while queue:
            name = queue.pop()
            refs: set[str] = set()
            if name in b.aliases:
                refs = set(b.aliases[name].type.refs)
            elif name in b.pending:
                for wire, prop, where in b.pending[name].properties:
                    refs |= b.type_of(prop, where, b.property_hint(where, wire, name)).refs
            for ref in refs - seen:
                seen.add(ref)
                queue.append(ref)


def _dependency_order(
    order: Iterable[str], models: dict[str, ModelDef], aliases: dict[str, AliasDef]
) -> tuple[ModelDef | AliasDef, ...]:
    """Definitions with what they mention first (depth-first, spec order breaks ties)."""
    out: list[ModelDef | AliasDef] = []
    state: dict[str, int] = {}

    def visit(name: str) -> None:
        if state.get(name):
            return
        state[name] = 1
        definition: ModelDef | AliasDef | None = models.get(name) or aliases.get(name)
        if definition is None:
            return
        refs = definition.refs if isinstance(definition, ModelDef) else definition.type.refs
        for ref in sorted(refs):
            visit(ref)
        out.append(definition)

    for name in order:
        visit(name)
    for name in models:
        visit(name)
    return tuple(out)
