"""Types as callers see them: which values a type accepts or may hold, and renamed definitions.

Annotations are read with :mod:`ast` (never evaluated): a type is the set of its members
(primitives, literals, models, containers), and one type covers another when every member
of the giving side is accepted by the other in the direction that matters."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..ir import AliasDef, Api, ModelDef
from .report import Direction, Kind
from .usage import identifiers

__all__ = [
    "Finding",
    "annotations_of",
    "compare_types",
    "members",
    "renamed_definitions",
]

_CHECKED_STR = frozenset({"EmailStr", "UriStr", "UuidStr", "HostnameStr", "IPv4Str", "IPv6Str"})
_PRIMITIVE = frozenset({"str", "int", "float", "bool", "bytes", "datetime", "date"}) | _CHECKED_STR
_GENERIC = frozenset({"list", "dict", "Sequence", "Mapping", "set", "frozenset", "tuple"})


@dataclass(frozen=True, slots=True)
class _Member:
    """One alternative of a type annotation: ``str``, ``None``, ``Literal['a']``, ``list[...]``."""

    kind: str  # literal | ref | none | any | prim | generic | other
    text: str
    value: object = None
    args: tuple[frozenset[_Member], ...] = ()


@functools.lru_cache(maxsize=1 << 16)
def members(annotation: str, names: frozenset[str]) -> frozenset[_Member]:
    """Parse a generated annotation (syntax only; nothing is evaluated).

    Memoised: a diff asks about the same few thousand annotations over and over, and the
    result is immutable.
    """
    try:
        tree = ast.parse(annotation, mode="eval")
        return frozenset(_node_members(tree.body, names))
    except (SyntaxError, ValueError, RecursionError):
        return frozenset({_Member("other", annotation)})


def _node_members(node: ast.expr, names: frozenset[str]) -> list[_Member]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _node_members(node.left, names) + _node_members(node.right, names)
    if isinstance(node, ast.Constant) and node.value is None:
        return [_Member("none", "None")]
    if isinstance(node, ast.Name):
        if node.id == "Any":
            return [_Member("any", "Any")]
        if node.id in names:
            return [_Member("ref", node.id)]
        if node.id in _PRIMITIVE:
            return [_Member("prim", node.id)]
        return [_Member("other", node.id)]
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        head = node.value.id
        elts = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head == "Annotated" and elts:
            return _node_members(elts[0], names)
        if head == "Literal":
            out = []
            for elt in elts:
                value = ast.literal_eval(elt)
                out.append(_Member("literal", repr(value), value))
            return out
        if head in _GENERIC:
            return [_Member("generic", head, None, tuple(frozenset(_node_members(e, names)) for e in elts))]
    return [_Member("other", ast.unparse(node))]


def _literal_key(member: _Member) -> tuple[str, str]:
    return type(member.value).__name__, member.text


def _covers(accepting: _Member, giving: _Member, direction: Direction) -> bool:
    """Whether a value described by ``giving`` is acceptable where ``accepting`` is expected."""
    if accepting.kind == "any":
        return True
    if giving.kind == "literal":
        if accepting.kind == "literal":
            return _literal_key(accepting) == _literal_key(giving)
        value = giving.value
        if accepting.kind != "prim":
            return False
        if isinstance(value, bool):
            return accepting.text == "bool"
        if isinstance(value, int):
            return accepting.text in ("int", "float")
        return isinstance(value, str) and (accepting.text == "str" or (direction == "response" and accepting.text in _CHECKED_STR))
    if accepting.kind != giving.kind:
        return False
    if giving.kind == "prim":
        if accepting.text == giving.text:
            return True
        if accepting.text == "float" and giving.text == "int":
            return True
        if accepting.text == "str" and giving.text in _CHECKED_STR:
            return True
        # A checked string is a ``str`` to the type checker: only requests notice the new check.
        return direction == "response" and accepting.text in _CHECKED_STR and giving.text == "str"
    if giving.kind == "generic":
        return accepting.text == giving.text and len(accepting.args) == len(giving.args)
    return accepting.text == giving.text


@dataclass(frozen=True, slots=True)
class Finding:
    kind: Kind
    code: str
    message: str


def _describe(annotation: str) -> str:
    return f"`{annotation}`"


def compare_types(
    old: str, new: str, direction: Direction, names: frozenset[str], renames: Mapping[str, str] | None = None
) -> list[Finding]:
    """How a type change affects callers: ``request`` types must still accept every old value,
    ``response`` types must not produce values callers never saw.

    ``renames`` maps old class names to new ones (a renamed model is reported once, on its own).
    """
    translated = _rename(old, renames) if renames else old
    if translated == new:
        return []
    findings = _compare_sets(members(translated, names), members(new, names), direction)
    if not findings:
        return [Finding("compatible", "type-changed", f"type changed from {_describe(old)} to {_describe(new)}")]
    return [
        Finding(f.kind, f.code, f"{f.message} (was {_describe(old)}, now {_describe(new)})") if f.code == "type-changed" else f
        for f in findings
    ]


def _compare_sets(old: frozenset[_Member], new: frozenset[_Member], direction: Direction) -> list[Finding]:
    findings: list[Finding] = []
    giving, accepting = (old, new) if direction == "request" else (new, old)
    if any(m.kind == "any" for m in accepting):
        return findings
    old_lits = {_literal_key(m): m for m in old if m.kind == "literal"}
    new_lits = {_literal_key(m): m for m in new if m.kind == "literal"}
    for key in sorted(old_lits.keys() - new_lits.keys()):
        member = old_lits[key]
        if any(_covers(a, member, "request") for a in new if a.kind != "literal"):
            continue  # the enum became its base type: every old value is still valid
        if direction == "request":
            findings.append(Finding("breaking", "enum-value-removed", f"enum value {member.text} is no longer accepted"))
        else:
            findings.append(Finding("compatible", "enum-value-removed", f"enum value {member.text} is no longer sent"))
    for key in sorted(new_lits.keys() - old_lits.keys()):
        member = new_lits[key]
        if any(_covers(a, member, "response") for a in old if a.kind != "literal"):
            continue
        if direction == "request":
            findings.append(Finding("compatible", "enum-value-added", f"enum value {member.text} is accepted"))
        else:
            findings.append(
                Finding("risk", "enum-value-added", f"enum value {member.text} may now be returned; code that handles every known value may not handle it")
            )
    old_refs = {m.text for m in old if m.kind == "ref"}
    new_refs = {m.text for m in new if m.kind == "ref"}
    non_null_old = [m for m in old if m.kind != "none"]
    non_null_new = [m for m in new if m.kind != "none"]
    is_union = (len(non_null_old) > 1 or len(non_null_new) > 1) and bool(old_refs) and bool(new_refs)
    if is_union:
        for name in sorted(old_refs - new_refs):
            findings.append(Finding("breaking", "union-variant-removed", f"union variant {name} was removed"))
        for name in sorted(new_refs - old_refs):
            if direction == "request":
                findings.append(Finding("compatible", "union-variant-added", f"union variant {name} is accepted"))
            else:
                findings.append(
                    Finding("risk", "union-variant-added", f"union variant {name} may now be returned; code that handles every known variant may not handle it")
                )
    if direction == "request" and any(m.kind == "none" for m in old) and not any(m.kind == "none" for m in new):
        findings.append(Finding("breaking", "type-changed", "no longer accepts None"))
    if direction == "response" and any(m.kind == "none" for m in new) and not any(m.kind == "none" for m in old):
        findings.append(Finding("breaking", "type-changed", "may now be None"))
    uncovered = False
    for member in giving:
        if member.kind in ("none", "literal") or (is_union and member.kind == "ref"):
            continue
        match = [a for a in accepting if _covers(a, member, direction)]
        if not match:
            uncovered = True
            continue
        if member.kind == "generic":
            for a_args, g_args in zip(match[0].args, member.args, strict=True):
                old_args, new_args = (g_args, a_args) if direction == "request" else (a_args, g_args)
                findings.extend(_compare_sets(old_args, new_args, direction))
    if uncovered:
        what = "no longer accepts values it accepted" if direction == "request" else "may now hold values of another type"
        findings.append(Finding("breaking", "type-changed", f"type changed incompatibly: {what}"))
    return findings


def _rename(annotation: str, renames: Mapping[str, str]) -> str:
    """``annotation`` with class names replaced (a syntax-tree edit; nothing is evaluated)."""
    if renames.keys().isdisjoint(identifiers(annotation)):
        return annotation  # nothing to replace (or no valid syntax): what the edit would give
    try:
        tree = ast.parse(annotation, mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return annotation
    changed = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in renames:
            node.id = renames[node.id]
            changed = True
    return ast.unparse(tree) if changed else annotation


def renamed_definitions(old: Api, new: Api) -> dict[str, str]:
    """Old name -> new name for models and aliases that were renamed, not removed.

    A definition is renamed when the new API has, under a name the old one lacks, the
    definition at the same spec location, or else exactly one with the same shape.
    """
    old_names = {d.name for d in old.definitions}
    new_names = {d.name for d in new.definitions}
    gone = [d for d in old.definitions if d.name not in new_names]
    added = [d for d in new.definitions if d.name not in old_names]
    renames: dict[str, str] = {}
    taken: set[str] = set()  # renames.values(), as a set
    by_pointer = {d.pointer: d.name for d in added}
    for d in gone:
        if d.pointer in by_pointer and by_pointer[d.pointer] not in taken:
            renames[d.name] = by_pointer[d.pointer]
            taken.add(by_pointer[d.pointer])
    shapes: dict[object, list[str]] = {}
    for d in added:
        if d.name not in taken:
            shapes.setdefault(_shape(d), []).append(d.name)
    old_shapes: dict[object, list[str]] = {}
    for d in gone:
        if d.name not in renames:
            old_shapes.setdefault(_shape(d), []).append(d.name)
    for shape, names in old_shapes.items():
        if len(names) == 1 and len(shapes.get(shape, ())) == 1:
            renames[names[0]] = shapes[shape][0]
    return renames


def annotations_of(d: ModelDef | AliasDef) -> Iterable[str]:
    """The type annotations :meth:`Differ.definition` compares for ``d``."""
    if isinstance(d, ModelDef):
        return (f.type.annotation for f in d.fields)
    return (d.type.annotation,)


def _shape(d: ModelDef | AliasDef) -> object:
    if isinstance(d, ModelDef):
        return "model", tuple((f.wire_name, f.type.annotation, f.required) for f in d.fields)
    return "alias", d.type.annotation
