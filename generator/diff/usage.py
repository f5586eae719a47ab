"""Where definitions are used (requests, responses) and where each change is located in the spec."""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field
from typing import Any

from ..errors import escape_pointer_token
from ..ir import AliasDef, Api, ModelDef, Operation, Param
from ..load import Document

__all__ = [
    "Locator",
    "Usage",
    "identifiers",
    "usage",
]


def _names_in(annotation: str | None, names: frozenset[str]) -> set[str]:
    if not annotation:
        return set()
    return set(identifiers(annotation) & names)


@functools.lru_cache(maxsize=1 << 16)
def identifiers(annotation: str) -> frozenset[str]:
    """The names an annotation mentions (none if it does not parse); memoised, as :func:`members`."""
    try:
        tree = ast.parse(annotation, mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return frozenset()
    return frozenset(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))


@dataclass
class Usage:
    request: set[str] = field(default_factory=set)
    response: set[str] = field(default_factory=set)
    body: set[str] = field(default_factory=set)
    """Models that are a method's body model: their fields are the method's arguments."""


def usage(api: Api) -> Usage:
    """Which definitions a request can contain and which a response can, by reachability."""
    names = frozenset(d.name for d in api.definitions)
    refs: dict[str, frozenset[str]] = {
        d.name: (d.refs if isinstance(d, ModelDef) else d.type.refs) for d in api.definitions
    }
    found = Usage()
    for op in api.operations:
        if op.body_model:
            found.body.add(op.body_model)
        for p in op.params:
            found.request |= _names_in(p.runtime_type, names) | _names_in(p.annotation, names)
        found.response |= _names_in(op.response_model, names) | _names_in(op.error_model, names)
    for seen in (found.request, found.response):
        queue = list(seen)
        while queue:
            for ref in refs.get(queue.pop(), frozenset()) - seen:
                seen.add(ref)
                queue.append(ref)
    return found


# ----------------------------------------------------------------------------- locations
class Locator:
    """``file#pointer`` for IR things, exact when the document is at hand."""

    def __init__(self, api: Api, doc: Document | None) -> None:
        self.api = api
        self.doc = doc
        self.defs: dict[str, ModelDef | AliasDef] = {d.name: d for d in api.definitions}

    def at(self, pointer: str) -> str:
        return f"{self.api.spec_file}#{pointer}"

    def _node(self, pointer: str) -> Any:
        if self.doc is None:
            return None
        try:
            return self.doc.resolve("#" + pointer)
        except (KeyError, TypeError):
            return None

    def operation(self, op: Operation) -> str:
        return self.at(op.pointer)

    def param(self, op: Operation, param: Param) -> str:
        if param.location == "body":
            if op.body_model and op.body_model in self.defs:
                return self.field(op.body_model, param.wire_name)
            return self.at(op.pointer + "/requestBody")
        item_pointer = op.pointer.rsplit("/", 1)[0]
        for where in (op.pointer, item_pointer):
            node = self._node(where)
            params = node.get("parameters") if isinstance(node, dict) else None
            for index, raw in enumerate(params if isinstance(params, list) else ()):
                try:
                    resolved = self.doc.deref(raw) if self.doc is not None else None
                except KeyError:
                    continue
                if isinstance(resolved, dict) and resolved.get("name") == param.wire_name and resolved.get("in") == param.location:
                    return self.at(f"{where}/parameters/{index}")
        return self.at(op.pointer + "/parameters")

    def definition(self, name: str) -> str:
        definition = self.defs.get(name)
        return self.at(definition.pointer) if definition is not None else self.at("")

    def field(self, model: str, wire: str) -> str:
        definition = self.defs.get(model)
        if definition is None:
            return self.at("")
        found = self._find_property(definition.pointer, wire, set())
        return self.at(found or f"{definition.pointer}/properties/{escape_pointer_token(wire)}")

    def _find_property(self, where: str, wire: str, seen: set[str]) -> str | None:
        if where in seen or self.doc is None:
            return None
        seen.add(where)
        node = self._node(where)
        if isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
            return self._find_property(node["$ref"][1:], wire, seen)
        if not isinstance(node, dict):
            return None
        props = node.get("properties")
        if isinstance(props, dict) and wire in props:
            return f"{where}/properties/{escape_pointer_token(wire)}"
        parts = node.get("allOf")
        for index in range(len(parts) if isinstance(parts, list) else 0):
            found = self._find_property(f"{where}/allOf/{index}", wire, seen)
            if found:
                return found
        return None
