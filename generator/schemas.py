"""Schemas -> types and models: the half of the model stage that reads ``components``.

:class:`SchemaBuilder` turns each schema into a :class:`~generator.ir.TypeExpr` (the Python type
the generated code spells), registering a model for every object schema and an alias for every
named union. Object schemas are registered first and their fields resolved afterwards
(:meth:`SchemaBuilder.finish_models`), so recursive and mutually recursive schemas need nothing
special. Names are allocated in document order, so the same spec always gets the same names.
"""

from __future__ import annotations

import ast
import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import ecma, naming
from .errors import SpecError, escape_pointer_token
from .ir import AliasDef, FieldDef, Import, ModelDef, TypeExpr, py_json_literal, py_literal
from .load import Document

__all__ = [
    "RESERVED_CLASS_NAMES",
    "RESERVED_FIELD_NAMES",
    "PendingModel",
    "SchemaBuilder",
    "Usage",
    "flag",
    "text",
]

# Names that generated modules import or define themselves; nothing from a spec may take them.
RESERVED_CLASS_NAMES = frozenset(
    {"Any", "Annotated", "ClassVar", "Field", "Literal", "TypeAlias", "Model", "Omit", "OMIT",
     "Union", "Mapping", "Sequence", "date", "datetime", "httpx", "annotations",
     # what models.py and the resource modules import besides the models
     "ConfigDict", "TYPE_CHECKING", "TimeoutTypes", "APIResponse", "Iterator", "AsyncIterator",
     "EmailStr", "UriStr", "UuidStr", "HostnameStr", "IPv4Str", "IPv6Str", "Base64Str",
    # what params.py imports besides the models
    "TypedDict", "Required", "NotRequired",
    # the lenient response types (templates/static/_lenient.py)
    "EXTENSIBLE", "UnknownVariant",
    # the pattern check (templates/static/_patterns.py)
    "Pattern"}
)
RESERVED_FIELD_NAMES = naming.PYDANTIC_RESERVED | {
    "self", "date", "datetime", "Any", "Literal", "Field", "Annotated", "ClassVar", "TypeAlias",
    # Types the annotations spell: a field named ``str`` would shadow ``str`` for later fields.
    "str", "int", "float", "bool", "bytes", "list", "dict", "None",
}
# What a JSON value of each ``type`` is in Python (booleans are not numbers in JSON Schema).
_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}
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
    "byte": "Base64Str",
}
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_ANY = TypeExpr("Any", "Any", frozenset({Import("typing", "Any")}), param_imports=frozenset({Import("typing", "Any")}))


@dataclass
class Usage:
    request: set[str] = field(default_factory=set)
    response: set[str] = field(default_factory=set)


def _class_name(key: str, schema: Any) -> str:
    """The name a component's class is built from: its ``x-class-name`` if it has one (so an
    overlay can name a model of a document it cannot edit), else its key in the components."""
    named = schema.get("x-class-name") if isinstance(schema, dict) else None
    return named if isinstance(named, str) and named.strip() else key


@dataclass
class PendingModel:
    name: str
    pointer: str
    description: str
    properties: list[tuple[str, Any, str]]  # wire name, schema, pointer
    required: set[str]
    forbid_extra: bool
    read_only_schema: bool


class SchemaBuilder:
    """Walks the document once; holds the name tables that make the walk deterministic."""

    def __init__(self, doc: Document, package: str) -> None:
        self.doc = doc
        self.package = package
        self.errors: list[SpecError] = []
        self.warnings: list[SpecError] = []
        self.class_names = naming.NameAllocator(RESERVED_CLASS_NAMES)
        self.component_names: dict[str, str] = {}
        self.types: dict[str, TypeExpr] = {}
        self.inline_types: dict[str, TypeExpr] = {}
        self.building: set[str] = set()
        self.pending: dict[str, PendingModel] = {}
        self.aliases: dict[str, AliasDef] = {}
        self.discriminated: dict[str, dict[str, set[str]]] = {}  # model -> property -> values
        self.order: list[str] = []
        self.owners: dict[str, str] = {}  # pointer of an object schema -> its class name
        self.param_names: dict[str, str] = {}  # model or model union -> its TypedDict's name
        schemas = self.components("schemas")
        for key, schema in schemas.items():
            ref = "#/components/schemas/" + escape_pointer_token(key)
            self.component_names[ref] = self.class_names.allocate(
                naming.pascal_identifier(_class_name(key, schema), fallback="Schema"), separator=""
            )

    # ----------------------------------------------------------------- helpers
    def components(self, kind: str) -> dict[str, Any]:
        comps = self.doc.root.get("components") or {}
        found = comps.get(kind) or {}
        return found if isinstance(found, dict) else {}

    def param_name(self, name: str) -> str:
        """The ``TypedDict`` of model ``name`` (``FooParam``), allocated on first use.

        From the same name table as the models: ``params.py`` imports the models its
        annotations name, and the resource modules import both.
        """
        found = self.param_names.get(name)
        if found is None:
            found = self.param_names[name] = self.class_names.allocate(name + "Param", separator="")
        return found

    def named(self, name: str, *, is_model: bool) -> TypeExpr:
        """A reference to a generated class or alias; a method takes a model or its TypedDict."""
        if is_model:
            param = self.param_name(name)
            return TypeExpr(
                name, f"{name} | {param}", frozenset(), frozenset({name}), is_model=True,
                dict_annotation=param, param_refs=frozenset({param}),
            )
        return TypeExpr(name, name, frozenset(), frozenset({name}))

    def error(self, at: str, message: str) -> None:
        self.errors.append(SpecError(self.doc.file, at, message))

    def warn(self, at: str, message: str) -> None:
        """A problem that does not change the generated code (see generator.validate)."""
        self.warnings.append(SpecError(self.doc.file, at, message, warning=True))

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
            return self.named(name, is_model=True)
        self.building.add(ref)
        try:
            inner = target.get("$ref") if isinstance(target, dict) else None
            if isinstance(inner, str):
                texpr = self.type_of_ref_alias(ref, inner, name, target)
            else:
                texpr = self.type_of_inline(target if isinstance(target, dict) else {}, ref[1:], name, named=True)
        finally:
            self.building.discard(ref)
        self.types[ref] = texpr
        return texpr

    def type_of_ref_alias(self, ref: str, inner: str, name: str, target: dict[str, Any]) -> TypeExpr:
        """A schema that is only a ``$ref``: a named alias of another component, or (when it
        points at a file or a place with no name of its own) that schema under this name."""
        if inner not in self.component_names:
            self.component_names[inner] = name
            return self.type_of_ref(inner, ref[1:])
        texpr = self.type_of_ref(inner, ref[1:])
        if self.component_names[inner] == name:
            return texpr
        self.aliases[name] = AliasDef(name, ref[1:], text(target.get("description")), texpr)
        self.order.append(name)
        return self.named(name, is_model=texpr.is_model)

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
        if types == "null" or (isinstance(types, list) and not types and schema.get("type") == ["null"]):
            return TypeExpr("None", "None", nullable=True)
        literal_values: list[Any] | None = None
        if "const" in schema:
            literal_values = [schema["const"]]
        elif isinstance(schema.get("enum"), list):
            values = schema["enum"]
            nullable = nullable or None in values
            if values and all(v is None for v in values):
                self.warn(at + "/enum", "an enum whose only value is null: the value is always null (typed None)")
                return TypeExpr("None", "None", nullable=True)
            literal_values = self.reachable_values(values, types, at)
        if literal_values is not None:
            texpr = self.literal_type(literal_values, at)
            texpr = _maybe_null(texpr, nullable)
            if named:  # a named enum is a type of its own: ``Status: TypeAlias = Literal[...]``
                self.aliases[hint] = AliasDef(hint, at, text(schema.get("description")), texpr)
                self.order.append(hint)
                return TypeExpr(hint, hint, frozenset(), frozenset({hint}), nullable=texpr.nullable)
            return texpr
        elif "oneOf" in schema or "anyOf" in schema:
            texpr = self.union_type(schema, at, hint, named=named)
            if named:
                return _maybe_null(texpr, nullable)
        elif "allOf" in schema:
            texpr = self.all_of_type(schema, at, hint, named=named)
        elif types == "object" or "properties" in schema or (types is None and "additionalProperties" in schema):
            texpr = self.object_type(schema, at, hint, named=named)
        elif types == "array":
            item = self.checked(self.type_of(schema.get("items"), at + "/items", hint + "Item"), schema.get("items"), at + "/items")
            texpr = TypeExpr(
                f"list[{item.annotation}]",
                f"Sequence[{item.param_annotation}]",
                item.imports,
                item.refs,
                param_imports=item.param_imports | {Import("collections.abc", "Sequence")},
                dict_annotation=f"Sequence[{item.dict_annotation}]" if item.dict_annotation else "",
                param_refs=item.param_refs,
                item=item,
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
            # Dates and times may also be given as ISO 8601 text, which the model parses.
            param = f"{name} | str" if imp else name
            return TypeExpr(name, param, imports, param_imports=imports)
        if kind == "string" and isinstance(fmt, str) and fmt in _CHECKED_FORMATS:
            checked = _CHECKED_FORMATS[fmt]
            return TypeExpr(checked, "str", frozenset({Import("._formats", checked)}))
        name = _PRIMITIVES[kind]
        if kind == "number":  # JSON numbers may arrive as integers
            return TypeExpr("float", "float")
        return TypeExpr(name, name)

    def reachable_values(self, values: list[Any], types: Any, at: str) -> list[Any] | None:
        """The non-null enum values a value of the schema's ``type`` can take.

        A value of another type can never be valid (``type`` and ``enum`` both apply), so
        leaving it out changes nothing the API accepts: a warning, not a refusal. When no value
        is left (``enum: [true, false]`` on a string), the author plainly meant the values as
        text; the enum is ignored (``None``) and the type alone applies.
        """
        kept: list[Any] = []
        wrong: list[int] = []
        for index, value in enumerate(values):
            if value is None:
                continue
            if isinstance(types, str) and types in _JSON_TYPES and not _JSON_TYPES[types](value):
                wrong.append(index)
                continue
            # JSON Schema counts 2.0 as an integer; the generated Literal holds the int.
            kept.append(int(value) if types == "integer" and isinstance(value, float) else value)
        if wrong and not kept:
            self.warn(f"{at}/enum", f"no enum value is of type {types!r}: the enum is ignored and any {types} is accepted")
            return None
        for index in wrong:
            shown = json.dumps(values[index])[:60]
            self.warn(f"{at}/enum/{index}", f"enum value {shown} is not of type {types!r} and can never be valid: left out")
        return kept

    def literal_type(self, values: list[Any], at: str) -> TypeExpr:
        scalars = [v for v in values if isinstance(v, (str, int, bool)) and not isinstance(v, float)]
        if len(scalars) != len(values) or not values:
            self.error(at, "enum values must be strings, integers or booleans")
            return _ANY
        # Deduplicate by type and value: ``1 == True``, but they are different enum values.
        unique = list({(type(v), v): v for v in values}.values())
        literal = "Literal[" + ", ".join(py_literal(v) for v in unique) + "]"
        imports = frozenset({Import("typing", "Literal")})
        return TypeExpr(literal, literal, imports, param_imports=imports, literal=True)

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
            where = f"{at}/{key}/{index}"
            variants.append(self.checked(self.type_of(variant, where, f"{hint}{index + 1}"), variant, where))
        texpr = _union(variants) if variants else _ANY
        disc = schema.get("discriminator")
        if isinstance(disc, dict) and variants:
            texpr = self.tag_union(schema, disc, variants_raw, variants, at, texpr)
        texpr = _maybe_null(texpr, nullable)
        if named:
            alias = AliasDef(hint, at, text(schema.get("description")), texpr)
            self.aliases[hint] = alias
            self.order.append(hint)
            return self.named(hint, is_model=texpr.is_model)
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
                try:
                    self.doc.resolve(target_ref)
                except KeyError:
                    self.error(f"{at}/discriminator/mapping/{escape_pointer_token(str(value))}", f"mapping target {target!r} does not resolve")
                    return plain
                values_by_ref.setdefault(target_ref, []).append(str(value))
        for variant in raw:
            ref = variant.get("$ref") if isinstance(variant, dict) else None
            if not isinstance(ref, str) or ref not in self.component_names:
                return plain  # an inline variant cannot be tagged: a plain union validates it
            model = self.component_names[ref]
            if model not in self.pending:
                return plain  # not an object: no property to tag; a plain union still validates
            if not any(wire == prop for wire, _, _ in self.pending[model].properties):
                return plain  # the property is declared elsewhere (e.g. the parent): untagged union
            values = values_by_ref.get(ref) or [ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")]
            self.discriminated.setdefault(model, {}).setdefault(prop, set()).update(values)
        # pydantic names the discriminator by field name, not alias: the name build_model gives
        # the property (it names tagged properties first, so nothing else can take the name).
        field_name = naming.snake_identifier(prop, fallback="field", reserved=RESERVED_FIELD_NAMES)
        annotation = f"Annotated[{plain.annotation}, Field(discriminator={py_literal(field_name)})]"
        return TypeExpr(
            annotation,
            plain.param_annotation,
            plain.imports | {Import("typing", "Annotated"), Import("pydantic", "Field")},
            plain.refs,
            is_model=True,
            param_imports=plain.param_imports,
            dict_annotation=plain.dict_annotation,
            param_refs=plain.param_refs,
            tagged=True,
        )

    def all_of_type(self, schema: dict[str, Any], at: str, hint: str, *, named: bool) -> TypeExpr:
        parts = schema.get("allOf")
        if not isinstance(parts, list) or not parts:
            self.error(f"{at}/allOf", "allOf must be a non-empty list")
            return _ANY
        extra_keys = set(schema) - {"allOf", "description", "title", "nullable", "readOnly", "writeOnly", "example", "examples", "deprecated", "externalDocs"}
        if len(parts) == 1 and not extra_keys and not named:
            return self.type_of(parts[0], f"{at}/allOf/0", hint)
        union = self.union_in_all_of(parts, at, hint, named=named, schema=schema)
        if union is not None:
            return union
        return self.object_type(schema, at, hint, named=named)

    def union_in_all_of(self, parts: list[Any], at: str, hint: str, *, named: bool, schema: dict[str, Any]) -> TypeExpr | None:
        """``allOf: [<a oneOf>, {required: [...]}]``: the union, its variants unchanged.

        When the other parts add properties (``allOf: [<oneOf A | B>, Common]``), the union is
        distributed: ``A + Common | B + Common``, each variant merged with the rest of the
        ``allOf`` (and the union's own properties) into a model of its own. A discriminated
        union, or two unions in one ``allOf``, cannot be distributed that way and is reported.
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
        if len(union_parts) == 1 and adds_properties:
            distributed = self.distribute_union(parts, union_parts[0], at, hint, named=named, schema=schema)
            if distributed is not None:
                return distributed
        if len(union_parts) > 1 or adds_properties:
            self.error(at + "/allOf", "allOf that combines a oneOf/anyOf with other properties is not supported")
            return _ANY
        index = union_parts[0]
        texpr = self.type_of(parts[index], f"{at}/allOf/{index}", hint)
        if named:
            self.aliases[hint] = AliasDef(hint, at, "", texpr)
            self.order.append(hint)
            return self.named(hint, is_model=texpr.is_model)
        return texpr

    def distribute_union(
        self, parts: list[Any], index: int, at: str, hint: str, *, named: bool, schema: dict[str, Any]
    ) -> TypeExpr | None:
        """``allOf: [<oneOf A | B>, Common]`` as ``A + Common | B + Common`` (None: not possible)."""
        union, _ = self.deref(parts[index], f"{at}/allOf/{index}")
        key = "oneOf" if "oneOf" in union else "anyOf"
        variants = union.get(key)
        if "discriminator" in union or not isinstance(variants, list) or not variants:
            return None
        rest = [part for i, part in enumerate(parts) if i != index]
        own = {k: v for k, v in union.items() if k not in ("oneOf", "anyOf", "discriminator")}
        outer: dict[str, Any] = {k: schema[k] for k in ("required", "description", "nullable") if k in schema}
        merged = [{**outer, "type": "object", "allOf": [variant, own, *rest]} for variant in variants]
        # Located at this allOf member, so a referenced union keeps its own, undistributed type.
        return self.union_type({key: merged, **outer}, f"{at}/allOf/{index}", hint, named=named)

    def object_type(self, schema: dict[str, Any], at: str, hint: str, *, named: bool) -> TypeExpr:
        merged = self.merge_object(schema, at)
        if merged is None:
            return _ANY
        properties, required, forbid, described = merged
        if not properties:
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                value = self.checked(self.type_of(extra, at + "/additionalProperties", hint + "Value"), extra, at + "/additionalProperties")
                return TypeExpr(
                    f"dict[str, {value.annotation}]",
                    f"Mapping[str, {value.param_annotation}]",
                    value.imports,
                    value.refs,
                    param_imports=value.param_imports | {Import("collections.abc", "Mapping")},
                    dict_annotation=f"Mapping[str, {value.dict_annotation}]" if value.dict_annotation else "",
                    param_refs=value.param_refs,
                )
            if not schema.get("allOf"):
                return TypeExpr(
                    "dict[str, Any]",
                    "Mapping[str, Any]",
                    frozenset({Import("typing", "Any")}),
                    param_imports=frozenset({Import("typing", "Any"), Import("collections.abc", "Mapping")}),
                )
        # A component's name was allocated up front; an inline schema gets a fresh one.
        if not named and "x-class-name" in schema:
            hint = naming.pascal_identifier(_class_name(hint, schema), fallback=hint)
        name = hint if named else self.class_names.allocate(hint, separator="")
        self.owners[at] = name
        self.pending[name] = PendingModel(
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
        return self.named(name, is_model=True)

    def merge_object(self, schema: dict[str, Any], at: str) -> tuple[list[tuple[str, Any, str]], set[str], bool, str] | None:
        """Flatten ``allOf`` parts: properties in first-seen order, required lists united."""
        properties: dict[str, tuple[Any, str]] = {}
        required: set[str] = set()
        forbid = False
        description = text(schema.get("description"))
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
                description = text(node.get("description"))
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
        # present, with any value. They become fields of type Any (OpenAPI's validator calls
        # it a mistake, so it is a warning).
        for name in sorted(required - set(properties)):
            self.warn(f"{at}/required", f"required names {name!r}, which no properties declare: it becomes a required field of any type")
            properties[name] = ({}, f"{at}/required")
        listed = [(wire, prop, where) for wire, (prop, where) in properties.items()]
        return listed, required, forbid, description

    def unalias(self, texpr: TypeExpr) -> TypeExpr:
        """The type a named alias stands for (``Status`` -> ``Literal[...]``), else ``texpr``."""
        alias = self.aliases.get(texpr.annotation.removesuffix(" | None"))
        return alias.type if alias is not None else texpr

    def response_type(self, texpr: TypeExpr) -> tuple[str, frozenset[Import]] | None:
        """How a response model spells ``texpr`` so that what the spec does not list yet is kept.

        An enum becomes ``Annotated[Literal[...] | str, EXTENSIBLE]`` (known values still
        type-check; the marker keeps requests strict), a tagged union gains
        :class:`UnknownVariant` as its last resort, a list does the same for its items.
        ``None`` when nothing changes. See ``templates/static/_lenient.py``.
        """
        base = self.unalias(texpr)
        inner = texpr.annotation.removesuffix(" | None")
        suffix = texpr.annotation[len(inner):]
        if base.literal:
            imports = {Import("typing", "Annotated"), Import("._lenient", "EXTENSIBLE")}
            return f"Annotated[{inner} | str, EXTENSIBLE]{suffix}", frozenset(imports)
        if base.tagged:
            imports = {Import("typing", "Annotated"), Import("pydantic", "Field"), Import("._lenient", "UnknownVariant")}
            wrapped = f'Annotated[{inner} | UnknownVariant, Field(union_mode="left_to_right")]'
            return wrapped + suffix, frozenset(imports)
        if base.item is not None and inner == f"list[{base.item.annotation}]":
            item = self.response_type(base.item)
            if item is not None:
                return f"list[{item[0]}]{suffix}", item[1]
        return None

    def property_hint(self, where: str, wire: str, fallback_owner: str) -> str:
        """Name for an inline property schema: the class that declares it + the property."""
        owner_at = where.rsplit("/properties/", 1)[0]
        owner = self.owners.get(owner_at, fallback_owner)
        return owner + naming.pascal_identifier(wire, fallback="Field")

    # ----------------------------------------------------------------- models
    def finish_models(self, usage: Usage) -> list[ModelDef]:
        """Resolve every pending model's fields (types may add more models as they go)."""
        done: dict[str, ModelDef] = {}
        while len(done) < len(self.pending):
            for name in list(self.pending):
                if name not in done:
                    done[name] = self.build_model(self.pending[name], usage)
        return [done[name] for name in self.pending]

    def build_model(self, pm: PendingModel, usage: Usage) -> ModelDef:
        # Fields must not shadow the classes and aliases their annotations name.
        reserved = naming.Either(RESERVED_FIELD_NAMES, self.class_names.snapshot())
        names = naming.NameAllocator(also=reserved)
        fields: list[FieldDef] = []
        refs: set[str] = set()
        tags = self.discriminated.get(pm.name, {})
        # A tagged union's annotation already names its discriminator's field (see tag_union).
        tag_names = {
            wire: names.allocate(naming.snake_identifier(wire, fallback="field", reserved=reserved))
            for wire, _, _ in pm.properties
            if wire in tags
        }
        for wire, name in tag_names.items():
            expected = naming.snake_identifier(wire, fallback="field", reserved=RESERVED_FIELD_NAMES)
            if name != expected:  # a class of that very name: the union's annotation would be wrong
                self.error(pm.pointer, f"the discriminator property {wire!r} cannot take the field name {expected!r}")
        for wire, prop, where in pm.properties:
            resolved, resolved_at = self.deref(prop, where)
            resolved = resolved if isinstance(resolved, dict) else {}
            if wire in tags:
                texpr = self.literal_type(sorted(tags[wire]), where)
            else:
                texpr = self.type_of(prop, where, self.property_hint(where, wire, pm.name))
            refs |= texpr.refs
            # snake_case attribute names (``userName`` -> ``user_name``); the wire name is the alias.
            name = tag_names.get(wire) or names.allocate(naming.snake_identifier(wire, fallback="field", reserved=reserved))
            read_only = pm.read_only_schema or flag(prop, resolved, "readOnly")
            write_only = flag(prop, resolved, "writeOnly")
            # A discriminator property must be present for the tagged union to pick a variant;
            # a read-only one is absent from requests, a write-only one from responses.
            required = (wire in pm.required and not read_only and not write_only) or wire in tags
            nullable = texpr.nullable or texpr.annotation == "Any"  # a schema without a type admits null
            constraints = self.constraints(resolved, where)
            lenient = self.response_type(texpr) if pm.name in usage.response and wire not in tags else None
            shown, extra_imports = lenient if lenient is not None else (texpr.annotation, frozenset[Import]())
            check = self.pattern_check(resolved, resolved_at)
            annotation = shown if required or nullable else f"{shown} | None"
            checked = (annotation, check.removeprefix("Pattern(").removesuffix(")")) if check else None
            if check:  # the whole annotation, so the check is the field's own metadata (None passes it)
                annotation = f"Annotated[{annotation}, {check}]"
                extra_imports |= _PATTERN_IMPORTS
            kwargs: list[str] = []
            if not required:
                default = resolved.get("default")
                fits = _fits(self.unalias(texpr), default) and not self.default_problem(resolved, default)
                if wire not in tags and isinstance(default, (str, int, float, bool)) and not read_only and fits:
                    kwargs.append(f"default={py_literal(default)}")
                elif not read_only and _container_default(texpr, default):
                    # A fresh copy per instance; the literal is JSON data, emitted by repr.
                    kwargs.append(f"default_factory=lambda: {py_json_literal(default)}")
                else:
                    kwargs.append("default=None")
            if name != wire:
                kwargs.append(f"alias={py_literal(wire)}")
            kwargs.extend(constraints)
            redact = flag(prop, resolved, "x-redact")
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
                    description=text(resolved.get("description") or (prop.get("description") if isinstance(prop, dict) else None)),
                    annotation=annotation,
                    default=default_expr,
                    request_required=(wire in pm.required and not read_only) or wire in tags,
                    imports=extra_imports,
                    checked=checked,
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

    def checked(self, texpr: TypeExpr, schema: Any, at: str) -> TypeExpr:
        """``texpr`` with the schema's ``pattern`` enforced, for a schema nested in a container
        or a union (array items, map values, variants): ``Annotated[str, Pattern(...)]``.

        A property's own pattern is the field's metadata instead (see build_model). What a
        method accepts (``param_annotation``) stays the plain type: type checkers cannot see a
        pattern, and the model checks the value before anything is sent.
        """
        resolved, resolved_at = self.deref(schema, at)
        check = self.pattern_check(resolved, resolved_at) if isinstance(resolved, dict) else None
        if check is None:
            return texpr
        return dataclasses.replace(texpr, annotation=f"Annotated[{texpr.annotation}, {check}]", imports=texpr.imports | _PATTERN_IMPORTS)

    def pattern_check(self, schema: dict[str, Any], at: str) -> str | None:
        """The ``Pattern(...)`` annotation that enforces the schema's ``pattern`` (see
        generator.ecma), or None: no pattern, or one no engine can run."""
        pattern = schema.get("pattern")
        if not isinstance(pattern, str):
            return None
        try:
            translated = ecma.translate(pattern)
        except ecma.UnusablePatternError:
            return None  # the validation stage warns (it sees every pattern, rendered or not)
        return f"Pattern({py_literal(translated.source)}, {py_literal(translated.engine)}, {py_literal(pattern)})"

    def default_problem(self, schema: dict[str, Any], value: object) -> bool:
        """Whether a default breaks one of the schema's own constraints (enum, pattern,
        lengths, range): such a default is left out of the code (the validator warns)."""
        enum = schema.get("enum")
        if isinstance(enum, list) and not any(type(v) is type(value) and v == value for v in enum):
            return True
        if isinstance(value, str):
            pattern = schema.get("pattern")
            if isinstance(pattern, str):
                try:
                    if not ecma.matches(ecma.translate(pattern), value):
                        return True
                except ecma.UnusablePatternError:
                    pass
            low, high = schema.get("minLength"), schema.get("maxLength")
            if (isinstance(low, int) and len(value) < low) or (isinstance(high, int) and len(value) > high):
                return True
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            for key, below in (("minimum", True), ("maximum", False), ("exclusiveMinimum", True), ("exclusiveMaximum", False)):
                bound = schema.get(key)
                if isinstance(bound, bool) or not isinstance(bound, (int, float)):
                    continue
                exclusive = key.startswith("exclusive") or schema.get("exclusiveMinimum" if below else "exclusiveMaximum") is True
                if (value < bound or (exclusive and value == bound)) if below else (value > bound or (exclusive and value == bound)):
                    return True
        return False

    def constraints(self, schema: dict[str, Any], at: str) -> list[str]:
        out: list[str] = []
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


def flag(prop: Any, resolved: dict[str, Any], key: str) -> bool:
    return (isinstance(prop, dict) and prop.get(key) is True) or resolved.get(key) is True


def _container_default(texpr: TypeExpr, value: object) -> bool:
    base = texpr.annotation.removesuffix(" | None")
    try:
        py_json_literal(value)
    except TypeError:
        return False
    return (isinstance(value, list) and base.startswith("list[")) or (
        isinstance(value, dict) and base.startswith("dict[")
    )


_PATTERN_IMPORTS = frozenset({Import("typing", "Annotated"), Import("._patterns", "Pattern")})


def _fits(texpr: TypeExpr, value: object) -> bool:
    base = texpr.annotation.removesuffix(" | None")
    if base.startswith("Literal["):
        try:
            members = ast.literal_eval("[" + base[len("Literal[") : -1] + "]")
        except (ValueError, SyntaxError):  # not one Literal (a union of them, say): by its text
            return py_literal(value) in base
        return any(type(member) is type(value) and member == value for member in members)
    if isinstance(value, bool):
        return base == "bool"
    if base == "float":
        return isinstance(value, (int, float))
    return (base == "str" and isinstance(value, str)) or (base == "int" and isinstance(value, int))


def text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


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
        dict_annotation=f"{texpr.dict_annotation} | None" if texpr.dict_annotation else "",
        param_refs=texpr.param_refs,
        literal=texpr.literal,
        tagged=texpr.tagged,
        item=texpr.item,
    )


def _classes_and_dicts(texpr: TypeExpr) -> tuple[str, str]:
    """A model type's ``param_annotation`` as its classes and its TypedDicts: ``Foo | FooParam``
    -> ``("Foo", "FooParam")``; a tagged union's ``Cat | Dog | CatParam | DogParam`` ->
    ``("Cat | Dog", "CatParam | DogParam")``. Anything else stays whole, in the first place."""
    tail = " | " + texpr.dict_annotation
    if texpr.is_model and texpr.dict_annotation and texpr.param_annotation.endswith(tail):
        return texpr.param_annotation.removesuffix(tail), texpr.dict_annotation
    return texpr.param_annotation, ""


def _union(parts: list[TypeExpr]) -> TypeExpr:
    unique: dict[str, TypeExpr] = {}
    for part in parts:
        unique.setdefault(part.annotation, part)
    items = list(unique.values())
    if len(items) == 1:
        return items[0]
    annotation = " | ".join(p.annotation for p in items)
    model_parts = [p.annotation for p in items if p.is_model]
    # The models first, then the other variants, then the models' TypedDicts:
    # ``A | B | str | AParam | BParam``.
    split = [_classes_and_dicts(p) for p in items]
    param = " | ".join(
        [*(c for (c, d), p in zip(split, items, strict=True) if p.is_model),
         *(p.param_annotation for p in items if not p.is_model),
         *(d for c, d in split if d)]
    )
    dict_parts = [p.as_dict for p in items]
    imports: frozenset[Import] = frozenset().union(*(p.imports for p in items))
    param_imports: frozenset[Import] = frozenset().union(*(p.param_imports for p in items))
    refs: frozenset[str] = frozenset().union(*(p.refs for p in items))
    param_refs: frozenset[str] = frozenset().union(*(p.param_refs for p in items))
    return TypeExpr(
        annotation, param, imports, refs, is_model=bool(model_parts), param_imports=param_imports,
        dict_annotation=" | ".join(dict_parts) if any(p.dict_annotation for p in items) else "",
        param_refs=param_refs,
    )


# --------------------------------------------------------------------- operations
