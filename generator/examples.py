"""Example argument values for every operation, computed from the spec document.

The API reference (``README.md``, ``api.md``) shows a runnable call per method, and the
command-line examples need a request body; both take their values from here. The function is
pure and deterministic: the same document always gives the same values, in spec order.

How a value is chosen for a schema, first match wins:

* an explicit ``example`` (schema, parameter or media type), else the first of ``examples``;
* ``const``, then ``default``, then the first ``enum`` value, then the first
  ``x-extensible-enum`` value;
* ``oneOf`` / ``anyOf``: the first variant that is not ``null``; with a ``discriminator``, the
  variant's discriminating property is set to its mapping value;
* ``allOf``: the parts merged into one object (properties and ``required`` lists united);
* objects: the required properties, plus the optional ones that carry an explicit example;
  read-only properties never (the client does not send them);
* arrays: one item; strings by ``format`` (email, uri, date-time, date, uuid, ...) else
  ``"string"``, adjusted to ``minLength``/``maxLength``/``pattern`` when that is easy;
  numbers within ``minimum``/``maximum``; booleans ``True``.

Arguments: every required one, the optional ones with an explicit example, and optional
boolean "dry run" / "validate only" flags set to ``True`` (so running an example is harmless).
Recursive schemas: an optional property or array that refers back to a schema being built is
left out (or empty); a required one nests at most :data:`MAX_DEPTH` levels.
"""

from __future__ import annotations

import copy
import importlib
import re
from collections.abc import Mapping
from typing import Any

from .ir import Api, Operation
from .load import Document

__all__ = ["MAX_DEPTH", "operation_examples", "schema_example"]

MAX_DEPTH = 8
_SAFE_FLAGS = frozenset({"dryrun", "validateonly"})
_FORMAT_EXAMPLES: dict[str, str] = {
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "iri": "https://example.com",
    "uri-reference": "https://example.com",
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "ZXhhbXBsZQ==",
    "password": "secret",
}
_NO_VALUE = object()


def operation_examples(document: Document, api: Api) -> dict[str, dict[str, Any]]:
    """Example keyword arguments for every operation, by operation id then argument name."""
    return {op.operation_id: _Examples(document).arguments(op) for op in api.operations}


def schema_example(document: Document, schema: Any) -> Any:
    """An example value for one schema (follows local ``$ref`` pointers)."""
    return _Examples(document).value(schema, depth=0, seen=frozenset())


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


class _Examples:
    def __init__(self, document: Document) -> None:
        self.doc = document

    # ------------------------------------------------------------------ helpers
    def deref(self, node: Any, seen: frozenset[str]) -> tuple[Any, frozenset[str]]:
        """Follow ``$ref`` pointers; ``seen`` grows by the references followed (the path so far)."""
        chain: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in chain:  # a reference that only refers to itself
                return {}, seen
            chain.add(ref)
            try:
                node = self.doc.resolve(ref)
            except KeyError:
                return {}, seen
        return node, seen | chain

    @staticmethod
    def recursive(node: Any, seen: frozenset[str]) -> bool:
        """Whether ``node`` refers back to a schema on the current path."""
        return isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] in seen

    def explicit(self, node: Any) -> Any:
        """The example a node (or the schema it refers to) states, or ``_NO_VALUE``."""
        resolved, _ = self.deref(node, frozenset())
        for candidate in (node, resolved):
            if not isinstance(candidate, dict):
                continue
            if "example" in candidate:
                return copy.deepcopy(candidate["example"])
            examples = candidate.get("examples")
            if isinstance(examples, list) and examples:
                return copy.deepcopy(examples[0])
            if isinstance(examples, dict) and examples:  # parameter/media ``examples`` map
                first = self.deref(next(iter(examples.values())), frozenset())[0]
                if isinstance(first, dict) and "value" in first:
                    return copy.deepcopy(first["value"])
        return _NO_VALUE

    # ------------------------------------------------------------------ arguments
    def arguments(self, op: Operation) -> dict[str, Any]:
        try:
            node = self.doc.resolve("#" + op.pointer)
        except KeyError:
            return {}
        if not isinstance(node, dict):
            return {}
        path_item = self.doc.resolve("#" + op.pointer.rsplit("/", 1)[0])
        spec_params: dict[tuple[str, str], Any] = {}
        for source in (path_item.get("parameters") if isinstance(path_item, dict) else None, node.get("parameters")):
            for raw in source if isinstance(source, list) else ():
                param, _ = self.deref(raw, frozenset())
                if isinstance(param, dict) and isinstance(param.get("name"), str):
                    spec_params[(param["name"], str(param.get("in")))] = param

        body_schema, body_example = self.body(node)
        body_props, _ = self.object_shape(body_schema, frozenset()) if body_schema is not None else ({}, set())
        out: dict[str, Any] = {}
        for p in op.params:
            if p.location == "body":
                if op.body_param is not None and p.name == op.body_param:
                    if body_example is not _NO_VALUE:
                        out[p.name] = body_example
                    elif p.required:
                        out[p.name] = self.value(body_schema, depth=0, seen=frozenset())
                    continue
                stated = body_example.get(p.wire_name, _NO_VALUE) if isinstance(body_example, dict) else _NO_VALUE
                prop = body_props.get(p.wire_name)
                if stated is not _NO_VALUE:
                    out[p.name] = copy.deepcopy(stated)
                elif p.required or (prop is not None and self.explicit(prop) is not _NO_VALUE):
                    out[p.name] = self.value(prop, depth=1, seen=frozenset())
                continue
            param = spec_params.get((p.wire_name, p.location), {})
            schema = param.get("schema") if isinstance(param, dict) else None
            stated = self.explicit(param) if param else _NO_VALUE
            if stated is _NO_VALUE:
                stated = self.explicit(schema) if schema is not None else _NO_VALUE
            if stated is not _NO_VALUE:
                out[p.name] = stated
            elif p.required:
                out[p.name] = self.value(schema, depth=1, seen=frozenset())
            elif p.datatype == "boolean" and _norm(p.wire_name) in _SAFE_FLAGS:
                out[p.name] = True
        return out

    def body(self, node: dict[str, Any]) -> tuple[Any, Any]:
        """The request body's JSON schema and its media-type example (``_NO_VALUE`` if none)."""
        body, _ = self.deref(node.get("requestBody"), frozenset())
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, dict):
            return None, _NO_VALUE
        for media_type, media in content.items():
            base = str(media_type).split(";", 1)[0].strip().lower()
            if (base == "application/json" or base.endswith("+json")) and isinstance(media, dict):
                return media.get("schema"), self.explicit({k: v for k, v in media.items() if k != "schema"})
        return None, _NO_VALUE

    # ------------------------------------------------------------------ values
    def object_shape(self, schema: Any, seen: frozenset[str]) -> tuple[dict[str, Any], set[str]]:
        """Properties (spec order, ``allOf`` merged) and the required names of an object schema."""
        props: dict[str, Any] = {}
        required: set[str] = set()
        visited: set[int] = set()

        def visit(node: Any, seen_refs: frozenset[str]) -> None:
            node, seen_refs = self.deref(node, seen_refs)
            if not isinstance(node, dict) or id(node) in visited:
                return
            visited.add(id(node))
            for part in node.get("allOf") or ():
                visit(part, seen_refs)
            found = node.get("properties")
            if isinstance(found, dict):
                props.update(found)
            listed = node.get("required")
            if isinstance(listed, list):
                required.update(r for r in listed if isinstance(r, str))

        visit(schema, seen)
        return props, required

    def value(self, schema: Any, *, depth: int, seen: frozenset[str]) -> Any:
        stated = self.explicit(schema)
        if stated is not _NO_VALUE:
            return stated
        node, seen = self.deref(schema, seen)
        if not isinstance(node, dict):
            return "string"
        for key in ("const", "default"):
            if key in node:
                return copy.deepcopy(node[key])
        for key in ("enum", "x-extensible-enum"):
            values = node.get(key)
            if isinstance(values, list):
                chosen = [v for v in values if v is not None]
                if chosen:
                    return copy.deepcopy(chosen[0])
        for key in ("oneOf", "anyOf"):
            variants = node.get(key)
            if isinstance(variants, list) and variants:
                return self.union(node, variants, depth=depth, seen=seen)
        kind = node.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)
        if "allOf" in node or kind == "object" or "properties" in node:
            return self.object(node, depth=depth, seen=seen)
        if kind == "array":
            if depth >= MAX_DEPTH or self.recursive(node.get("items"), seen):
                return []  # an empty list ends a recursive structure
            return [self.value(node.get("items"), depth=depth + 1, seen=seen)]
        if kind in ("integer", "number"):
            return self.number(node, integer=kind == "integer")
        if kind == "boolean":
            return True
        if kind == "string" or kind is None:
            return self.string(node)
        return "string"

    def union(self, node: dict[str, Any], variants: list[Any], *, depth: int, seen: frozenset[str]) -> Any:
        for variant in variants:
            resolved, _ = self.deref(variant, seen)
            if isinstance(resolved, dict) and resolved.get("type") == "null":
                continue
            value = self.value(variant, depth=depth + 1, seen=seen)
            disc = node.get("discriminator")
            if isinstance(disc, dict) and isinstance(disc.get("propertyName"), str) and isinstance(value, dict):
                value[disc["propertyName"]] = _discriminator_value(disc, variant)
            return value
        return None

    def object(self, node: dict[str, Any], *, depth: int, seen: frozenset[str]) -> dict[str, Any]:
        props, required = self.object_shape(node, seen)
        out: dict[str, Any] = {}
        if depth >= MAX_DEPTH:
            return out
        for wire, prop in props.items():
            resolved, _ = self.deref(prop, seen)
            if _flag(prop, "readOnly") or _flag(resolved, "readOnly"):
                continue
            if self.recursive(prop, seen) and wire not in required:
                continue  # optional recursion is left out; required recursion ends at MAX_DEPTH
            if wire in required or self.explicit(prop) is not _NO_VALUE:
                out[wire] = self.value(prop, depth=depth + 1, seen=seen)
        return out

    @staticmethod
    def number(node: dict[str, Any], *, integer: bool) -> int | float:
        low = node.get("minimum")
        high = node.get("maximum")
        value: float = 1
        if isinstance(low, (int, float)) and not isinstance(low, bool):
            value = low + (1 if node.get("exclusiveMinimum") is True else 0)
        exclusive_low = node.get("exclusiveMinimum")
        if isinstance(exclusive_low, (int, float)) and not isinstance(exclusive_low, bool):
            value = max(value, exclusive_low + 1)
        if isinstance(high, (int, float)) and not isinstance(high, bool) and value > high:
            value = high
        multiple = node.get("multipleOf")
        if isinstance(multiple, (int, float)) and not isinstance(multiple, bool) and multiple > 0:
            value = multiple * max(1, round(value / multiple))
        return int(value) if integer else float(value)

    @staticmethod
    def string(node: dict[str, Any]) -> str:
        fmt = node.get("format")
        base = _FORMAT_EXAMPLES.get(fmt, "string") if isinstance(fmt, str) else "string"
        low = node.get("minLength")
        high = node.get("maxLength")
        low = low if isinstance(low, int) and not isinstance(low, bool) else 0
        high = high if isinstance(high, int) and not isinstance(high, bool) else None
        pattern = node.get("pattern")
        try:
            compiled = re.compile(pattern) if isinstance(pattern, str) else None
        except re.error:
            compiled = None
        candidates = [base, "string", "String", "example", "Example", "a" * max(low, 1), "1" * max(low, 1), "A" * max(low, 1)]
        for candidate in candidates:
            if len(candidate) < low:
                candidate = candidate + "x" * (low - len(candidate))
            if high is not None and len(candidate) > high:
                candidate = candidate[:high]
            if compiled is None or compiled.search(candidate):
                return candidate
        if compiled is not None and isinstance(pattern, str):
            made = _from_pattern(pattern)
            if made is not None and compiled.search(made) and len(made) >= low and (high is None or len(made) <= high):
                return made
        return base


_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W",
}
_CLASS_CANDIDATES = "aA0x_-.1Zz9 "


def _from_pattern(pattern: str) -> str | None:
    """A string the regular expression matches, built from its parse tree; ``None`` if that is
    beyond this small walker (back references, look-arounds that constrain, huge repeats)."""
    try:
        parser: Any = importlib.import_module("re._parser")
        return _emit(list(parser.parse(pattern)), 0)
    except (ImportError, ValueError, re.error, RecursionError, TypeError):
        return None


def _emit(items: list[Any], depth: int) -> str:
    if depth > 32:
        raise ValueError("pattern nested too deeply")
    out = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("a" if arg != ord("a") else "b")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_class_char(list(arg)))
        elif name == "CATEGORY":
            out.append(_class_char([(op, arg)]))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            count = min(max(low, 1), high)
            if count > 64:
                raise ValueError("repeat too long for an example")
            out.append(_emit(list(sub), depth + 1) * count)
        elif name == "SUBPATTERN":
            out.append(_emit(list(arg[-1]), depth + 1))
        elif name == "ATOMIC_GROUP":
            out.append(_emit(list(arg), depth + 1))
        elif name == "BRANCH":
            out.append(_emit(list(arg[1][0]), depth + 1))
        elif name != "AT":
            raise ValueError(f"unsupported pattern element {name}")
    return "".join(out)


def _in_class(char: str, items: list[Any]) -> bool:
    for op, arg in items:
        name = str(op)
        if name == "LITERAL" and char == chr(arg):
            return True
        if name == "RANGE" and arg[0] <= ord(char) <= arg[1]:
            return True
        if name == "CATEGORY" and str(arg) in _CATEGORIES and re.fullmatch(_CATEGORIES[str(arg)], char):
            return True
    return False


def _class_char(items: list[Any]) -> str:
    negate = any(str(op) == "NEGATE" for op, _ in items)
    for char in _CLASS_CANDIDATES:
        if _in_class(char, items) != negate:
            return char
    if not negate:
        for op, arg in items:
            if str(op) == "LITERAL":
                return chr(arg)
            if str(op) == "RANGE":
                return chr(arg[0])
    raise ValueError("no example character for a character class")


def _flag(node: Any, key: str) -> bool:
    return isinstance(node, dict) and node.get(key) is True


def _discriminator_value(disc: Mapping[str, Any], variant: Any) -> str:
    ref = variant.get("$ref") if isinstance(variant, dict) else None
    mapping = disc.get("mapping")
    if isinstance(ref, str):
        if isinstance(mapping, dict):
            for value, target in mapping.items():
                if target == ref or (isinstance(target, str) and "#/components/schemas/" + target == ref):
                    return str(value)
        return ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
    return ""
