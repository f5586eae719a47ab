"""The method table: the documentation's view of the operations, one record per method.

StackQL documents a resource as a table of methods, each with the SQL verb it is reached by
(``select``, ``insert``, ``update``, ``delete``, ``exec``) and the parameters a caller must or may
give, and beside it a table of the resource's parameters. Those are documentation concepts: the
SDK's model of an operation (:class:`generator.ir.Operation`) knows arguments, not verbs. This
module derives the table from the IR once; ``METHODS`` (``_methods.py``), ``METHODS.md``, the
resource pages and the API reference all render the same :class:`MethodEntry`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from .ir import Api, Operation, Resource

__all__ = ["DocParam", "MethodEntry", "accessible_by", "method_entry", "method_table", "resource_parameters"]


@dataclass(frozen=True, slots=True)
class MethodEntry:
    """One row of the method table."""

    resource: str
    name: str
    operation_id: str
    http_method: str
    path: str
    accessible_by: str
    """The SQL verb the docs list the method under: ``select``/``insert``/``update``/``delete``, else ``exec``."""
    required_params: tuple[str, ...]
    """Wire names of the operation's required parameters."""
    required_body: tuple[str, ...]
    """Wire names of the request body's required properties (the legacy pages spell them ``data__<name>``)."""
    optional: tuple[str, ...]
    """Wire names of the operation's other parameters (optional body properties are not listed)."""
    description: str

    @property
    def required(self) -> tuple[str, ...]:
        """What the table lists as required: the parameters, then the body's properties."""
        return self.required_params + self.required_body


@dataclass(frozen=True, slots=True)
class DocParam:
    """A row of a resource's parameters table (path, query, header and cookie parameters)."""

    name: str
    datatype: str
    description: str


def accessible_by(paths: tuple[str, ...], path: str, http_method: str) -> str:
    """The SQL verb for ``http_method`` on ``path``, given every path the API declares.

    GET reads (``select``), PUT/PATCH update, DELETE deletes; POST inserts only when it creates
    an item of a collection (the API also has ``<path>/{id}``), otherwise it is an action.
    """
    method = http_method.lower()
    if method == "get":
        return "select"
    if method in ("put", "patch"):
        return "update"
    if method == "delete":
        return "delete"
    if method == "post" and path.rstrip("/") in _collections(paths):
        return "insert"
    return "exec"


@functools.lru_cache(maxsize=4)
def _collections(paths: tuple[str, ...]) -> frozenset[str]:
    """The paths that have an item path (``<path>/{id}``): one pass, not one per POST."""
    found = set()
    for p in paths:
        parent, _, last = p.rpartition("/")
        if last.startswith("{"):
            found.add(parent)
    return frozenset(found)


def method_entry(api: Api, resource: Resource, op: Operation) -> MethodEntry:
    """The method-table row of one operation.

    The operation's arguments are ordered required first, each group in the spec's order
    (parameters before body properties); the table lists wire names. A non-object body is one
    ``body`` argument and no documented parameter.
    """
    fields = op.body_fields if op.body_model is not None else ()
    return MethodEntry(
        resource=resource.name,
        name=op.method_name,
        operation_id=op.operation_id,
        http_method=op.http_method,
        path=op.path,
        accessible_by=accessible_by(api.paths, op.path, op.http_method),
        required_params=tuple(p.wire_name for p in op.params if p.required and p.location != "body"),
        required_body=tuple(p.wire_name for p in fields if p.required),
        optional=tuple(p.wire_name for p in op.params if not p.required and p.location != "body"),
        description=op.description,
    )


def method_table(api: Api) -> dict[str, MethodEntry]:
    """Every method's row, by operation id, in the order of the resources and their methods."""
    return {op.operation_id: method_entry(api, r, op) for r in api.resources for op in r.operations}


def resource_parameters(resource: Resource) -> tuple[DocParam, ...]:
    """The parameters table of a resource: each wire name once, first occurrence wins."""
    rows: dict[str, DocParam] = {}
    for op in resource.operations:
        for p in op.params:
            if p.location != "body":
                rows.setdefault(p.wire_name, DocParam(p.wire_name, p.datatype, p.description))
    return tuple(rows.values())
