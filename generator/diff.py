"""What a spec change means for callers of the generated package: ``partner-codegen diff OLD NEW``.

Both documents are built into the intermediate representation (:mod:`generator.ir`) and the two
APIs are compared as a caller sees them: methods (``client.<resource>.<method>``) and their
keyword arguments, the classes and aliases of ``models.py``, and the types they carry.

Every difference is a :class:`Change` with a severity:

* ``breaking`` -- code written against the old package may fail to type-check or to run:
  a method, argument, model or field that is gone or renamed, an argument or request field
  that became required, a type that no longer accepts what it accepted (requests) or may now
  hold what it never held (responses), an enum value a request may no longer send, a response
  field that may now be absent, a union variant removed, a different success status; a
  renamed client, resource, model or environment variable (``x-class-name``, ``x-resource``,
  ``x-env-vars``...), credentials the client no longer takes, and a field that lost
  ``x-redact`` (its secret would show in ``repr()``, logs and errors).
* ``risk`` -- additions that can surprise exhaustive handling of responses: a new enum value
  or union variant a response may now carry.
* ``compatible`` -- additions and documentation changes.

Whether a model matters for requests or responses is decided by reachability: from the types of
the methods' arguments (requests) and from their return and error types (responses), closed over
the references between models and aliases. Enum values are read from the ``Literal[...]`` in the
generated annotations, parsed with :mod:`ast` (never evaluated as code).
"""

from __future__ import annotations

import ast
import functools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import SpecErrors, escape_pointer_token
from .ir import AliasDef, Api, FieldDef, ModelDef, Operation, Param
from .load import Document, load
from .model import build
from .pipeline import gc_tuned

__all__ = [
    "SEVERITY",
    "Change",
    "Direction",
    "Kind",
    "Report",
    "build_api",
    "build_previous",
    "compare",
    "compare_types",
    "diff_specs",
    "renamed_definitions",
    "report_between",
    "report_since",
    "run",
    "summarize",
    "summary_between",
    "summary_since",
    "summary_text",
    "usage",
]

Kind = Literal["breaking", "risk", "compatible"]
Direction = Literal["request", "response"]

SEVERITY: dict[str, int] = {"breaking": 0, "risk": 1, "compatible": 2}
_CHECKED_STR = frozenset({"EmailStr", "UriStr", "UuidStr", "HostnameStr", "IPv4Str", "IPv6Str"})
_PRIMITIVE = frozenset({"str", "int", "float", "bool", "bytes", "datetime", "date"}) | _CHECKED_STR
_GENERIC = frozenset({"list", "dict", "Sequence", "Mapping", "set", "frozenset", "tuple"})


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two generated APIs, as it affects callers."""

    kind: Kind
    code: str
    """Stable identifier of the rule, e.g. ``param-became-required``."""
    subject: str
    """The generated name: ``signups.signup``, ``signups.signup(dry_run)``, ``models.User.email``."""
    message: str
    location: str
    """``file#pointer`` in the new spec (the old one for removals)."""

    def line(self) -> str:
        """One line, whatever the spec's names hold (unprintable characters are shown escaped)."""
        text = f"{self.kind.upper()} {self.subject}: {self.message} [{self.code}] at {self.location}"
        return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)

    def sort_key(self) -> tuple[int, str, str, str]:
        return SEVERITY[self.kind], self.subject, self.code, self.message


@dataclass(frozen=True, slots=True)
class Report:
    """All changes between two APIs, most severe first."""

    old: str
    new: str
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> bool:
        return any(c.kind == "breaking" for c in self.changes)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITY, 0)
        for change in self.changes:
            counts[change.kind] += 1
        return counts

    def summary_line(self) -> str:
        if not self.changes:
            return "no changes to the generated API"
        counts = self.counts()
        total = len(self.changes)
        return f"{total} change{'s' if total != 1 else ''}: " + ", ".join(f"{counts[k]} {k}" for k in SEVERITY)

    def text(self) -> str:
        return "".join(f"{c.line()}\n" for c in self.changes) + self.summary_line() + "\n"

    def json(self) -> str:
        data = {
            "old": self.old,
            "new": self.new,
            "breaking": self.breaking,
            "summary": self.counts(),
            "changes": [asdict(c) for c in self.changes],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# ----------------------------------------------------------------------------- entry points
def build_api(spec: Path, *, package: str) -> tuple[Document, Api]:
    """load -> validate -> model for one spec; raises :class:`~generator.errors.SpecErrors`."""
    with gc_tuned():  # as in the pipeline: the parsed spec lives until the end
        from .validate import validate  # slow to import: only when a spec is really compared

        doc = validate(load(spec))
        return doc, build(doc, package=package)


def diff_specs(old: Path, new: Path, *, package: str) -> Report:
    """Compare the APIs two spec files generate (each must be valid, else SpecErrors)."""
    old_doc, old_api = build_api(old, package=package)
    new_doc, new_api = build_api(new, package=package)
    return compare(old_api, new_api, old_doc=old_doc, new_doc=new_doc)


def summarize(old_api: Api, new_api: Api, *, limit: int = 8) -> str:
    """A few lines for ``generate``: counts, then the most severe changes (at most ``limit``)."""
    return summary_text(compare(old_api, new_api), limit=limit)


def summary_text(report: Report, *, limit: int = 8) -> str:
    """:func:`summarize` for a report already made."""
    if not report.changes:
        return _NO_CHANGES
    lines = [f"API changes since the previous generation: {report.summary_line()}"]
    shown = [c for c in report.changes if c.kind != "compatible"][:limit]
    lines.extend(f"  {c.line()}" for c in shown)
    hidden = len(report.changes) - len(shown)
    if hidden:
        more = f"... and {hidden} more" if shown else f"{hidden} compatible"
        lines.append(f"  {more}; run `partner-codegen diff OLD NEW` for the full list")
    if report.breaking:
        lines.append("  Breaking changes: callers of the generated package must be updated.")
    return "\n".join(lines)


from .pipeline import PREVIOUS_SPEC as PREVIOUS_SPEC  # noqa: E402  (the output keeps the spec it came from)

_NO_CHANGES = "API changes since the previous generation: none"


def summary_since(previous_spec: Path, spec: Path, *, package: str) -> str | None:
    """:func:`summarize` from the spec that produced the output to ``spec``.

    ``None`` when there is no previous spec, or it no longer builds (nothing to compare with);
    a bad ``spec`` raises :class:`~generator.errors.SpecErrors` as generating it would.
    """
    report = report_since(previous_spec, spec, package=package)
    return None if report is None else summary_text(report)


def report_since(previous_spec: Path, spec: Path, *, package: str) -> Report | None:
    """The :class:`Report` :func:`summary_since` summarises (``None`` when it prints nothing)."""
    try:
        if previous_spec.read_bytes() == spec.read_bytes():
            return Report(previous_spec.name, spec.name, ())  # without building anything
    except OSError:
        return None  # no previous spec (a first run), or it cannot be read
    previous = build_previous(previous_spec, package=package)
    if previous is None:
        return None
    return report_between(*previous, *build_api(spec, package=package))


def build_previous(previous_spec: Path, *, package: str) -> tuple[Document, Api] | None:
    """:func:`build_api` for the spec copy a previous generation left in its output.

    ``None`` when it cannot be read or no longer builds (a damaged copy, or one an older
    generator accepted): there is then nothing to compare with. It is validated again, as
    :func:`summary_since` always did.
    """
    try:
        return build_api(previous_spec, package=package)
    except SpecErrors:
        return None


def summary_between(old_doc: Document, old_api: Api, new_doc: Document, new_api: Api) -> str:
    """:func:`summary_since` for specs already built (e.g. by :func:`build_previous` and by the
    pipeline that generates ``new_api``), so neither is loaded, validated or modelled again.

    The text is exactly what :func:`summary_since` prints for the same two files: locations
    come from the IR (as in :func:`summarize`), the documents only tell whether the inputs were
    identical.
    """
    return summary_text(report_between(old_doc, old_api, new_doc, new_api))


def report_between(old_doc: Document, old_api: Api, new_doc: Document, new_api: Api) -> Report:
    """The :class:`Report` :func:`summary_between` summarises (locations from the IR)."""
    if old_doc.sha256 == new_doc.sha256:
        return Report(old_api.spec_file, new_api.spec_file, ())  # the same bytes build the same API
    return compare(old_api, new_api)


def compare(
    old: Api, new: Api, *, old_doc: Document | None = None, new_doc: Document | None = None
) -> Report:
    """Every caller-visible difference from ``old`` to ``new``, most severe first.

    The documents, when given, only make spec locations more precise (the exact parameter or
    property); without them locations fall back to what the IR records.
    """
    differ = _Differ(old, new, old_doc, new_doc)
    differ.run()
    changes = _dedupe(differ.changes)
    return Report(old.spec_file, new.spec_file, tuple(sorted(changes, key=Change.sort_key)))


def _dedupe(changes: Iterable[Change]) -> list[Change]:
    """One change per subject and rule, keeping the most severe (a model used both ways)."""
    best: dict[tuple[str, str, str], Change] = {}
    for change in changes:
        key = (change.subject, change.code, change.location)
        if key not in best or SEVERITY[change.kind] < SEVERITY[best[key].kind]:
            best[key] = change
    return list(best.values())


# ----------------------------------------------------------------------------- types
@dataclass(frozen=True, slots=True)
class _Member:
    """One alternative of a type annotation: ``str``, ``None``, ``Literal['a']``, ``list[...]``."""

    kind: str  # literal | ref | none | any | prim | generic | other
    text: str
    value: object = None
    args: tuple[frozenset[_Member], ...] = ()


@functools.lru_cache(maxsize=1 << 16)
def _members(annotation: str, names: frozenset[str]) -> frozenset[_Member]:
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
class _Finding:
    kind: Kind
    code: str
    message: str


def _describe(annotation: str) -> str:
    return f"`{annotation}`"


def compare_types(
    old: str, new: str, direction: Direction, names: frozenset[str], renames: Mapping[str, str] | None = None
) -> list[_Finding]:
    """How a type change affects callers: ``request`` types must still accept every old value,
    ``response`` types must not produce values callers never saw.

    ``renames`` maps old class names to new ones (a renamed model is reported once, on its own).
    """
    translated = _rename(old, renames) if renames else old
    if translated == new:
        return []
    findings = _compare_sets(_members(translated, names), _members(new, names), direction)
    if not findings:
        return [_Finding("compatible", "type-changed", f"type changed from {_describe(old)} to {_describe(new)}")]
    return [
        _Finding(f.kind, f.code, f"{f.message} (was {_describe(old)}, now {_describe(new)})") if f.code == "type-changed" else f
        for f in findings
    ]


def _compare_sets(old: frozenset[_Member], new: frozenset[_Member], direction: Direction) -> list[_Finding]:
    findings: list[_Finding] = []
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
            findings.append(_Finding("breaking", "enum-value-removed", f"enum value {member.text} is no longer accepted"))
        else:
            findings.append(_Finding("compatible", "enum-value-removed", f"enum value {member.text} is no longer sent"))
    for key in sorted(new_lits.keys() - old_lits.keys()):
        member = new_lits[key]
        if any(_covers(a, member, "response") for a in old if a.kind != "literal"):
            continue
        if direction == "request":
            findings.append(_Finding("compatible", "enum-value-added", f"enum value {member.text} is accepted"))
        else:
            findings.append(
                _Finding("risk", "enum-value-added", f"enum value {member.text} may now be returned; code that handles every known value may not handle it")
            )
    old_refs = {m.text for m in old if m.kind == "ref"}
    new_refs = {m.text for m in new if m.kind == "ref"}
    non_null_old = [m for m in old if m.kind != "none"]
    non_null_new = [m for m in new if m.kind != "none"]
    is_union = (len(non_null_old) > 1 or len(non_null_new) > 1) and bool(old_refs) and bool(new_refs)
    if is_union:
        for name in sorted(old_refs - new_refs):
            findings.append(_Finding("breaking", "union-variant-removed", f"union variant {name} was removed"))
        for name in sorted(new_refs - old_refs):
            if direction == "request":
                findings.append(_Finding("compatible", "union-variant-added", f"union variant {name} is accepted"))
            else:
                findings.append(
                    _Finding("risk", "union-variant-added", f"union variant {name} may now be returned; code that handles every known variant may not handle it")
                )
    if direction == "request" and any(m.kind == "none" for m in old) and not any(m.kind == "none" for m in new):
        findings.append(_Finding("breaking", "type-changed", "no longer accepts None"))
    if direction == "response" and any(m.kind == "none" for m in new) and not any(m.kind == "none" for m in old):
        findings.append(_Finding("breaking", "type-changed", "may now be None"))
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
        findings.append(_Finding("breaking", "type-changed", f"type changed incompatibly: {what}"))
    return findings


def _rename(annotation: str, renames: Mapping[str, str]) -> str:
    """``annotation`` with class names replaced (a syntax-tree edit; nothing is evaluated)."""
    if renames.keys().isdisjoint(_identifiers(annotation)):
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


def _annotations(d: ModelDef | AliasDef) -> Iterable[str]:
    """The type annotations :meth:`_Differ.definition` compares for ``d``."""
    if isinstance(d, ModelDef):
        return (f.type.annotation for f in d.fields)
    return (d.type.annotation,)


def _shape(d: ModelDef | AliasDef) -> object:
    if isinstance(d, ModelDef):
        return "model", tuple((f.wire_name, f.type.annotation, f.required) for f in d.fields)
    return "alias", d.type.annotation


# ----------------------------------------------------------------------------- usage
def _names_in(annotation: str | None, names: frozenset[str]) -> set[str]:
    if not annotation:
        return set()
    return set(_identifiers(annotation) & names)


@functools.lru_cache(maxsize=1 << 16)
def _identifiers(annotation: str) -> frozenset[str]:
    """The names an annotation mentions (none if it does not parse); memoised, as :func:`_members`."""
    try:
        tree = ast.parse(annotation, mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return frozenset()
    return frozenset(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))


@dataclass
class _Usage:
    request: set[str] = field(default_factory=set)
    response: set[str] = field(default_factory=set)
    body: set[str] = field(default_factory=set)
    """Models that are a method's body model: their fields are the method's arguments."""


def usage(api: Api) -> _Usage:
    """Which definitions a request can contain and which a response can, by reachability."""
    names = frozenset(d.name for d in api.definitions)
    refs: dict[str, frozenset[str]] = {
        d.name: (d.refs if isinstance(d, ModelDef) else d.type.refs) for d in api.definitions
    }
    found = _Usage()
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
class _Locator:
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


# ----------------------------------------------------------------------------- comparison
def _by_key(ops: Iterable[tuple[str, Operation]]) -> dict[tuple[str, str], Operation]:
    return {(attribute, op.method_name): op for attribute, op in ops}


def _param_key(params: Iterable[Param]) -> dict[str, Param]:
    out: dict[str, Param] = {}
    for p in params:
        key = p.wire_name if p.wire_name not in out else f"{p.wire_name}@{p.location}"
        out[key] = p
    return out


class _Differ:
    def __init__(self, old: Api, new: Api, old_doc: Document | None, new_doc: Document | None) -> None:
        self.old, self.new = old, new
        self.old_loc, self.new_loc = _Locator(old, old_doc), _Locator(new, new_doc)
        self.names = frozenset(d.name for d in (*old.definitions, *new.definitions))
        self.old_usage, self.new_usage = usage(old), usage(new)
        self.renames = renamed_definitions(old, new)
        self.changes: list[Change] = []

    def types(self, old: str, new: str, direction: Direction) -> list[_Finding]:
        return compare_types(old, new, direction, self.names, self.renames)

    def add(self, kind: Kind, code: str, subject: str, message: str, location: str | Callable[[], str]) -> None:
        """Record a change; ``location`` may be a function, called only now (finding one
        can mean searching the document, which unchanged things never need)."""
        self.changes.append(Change(kind, code, subject, message, location if isinstance(location, str) else location()))

    def mentions_renamed(self, annotations: Iterable[str]) -> bool:
        """Whether any annotation names a renamed definition (so it differs once translated)."""
        renames = self.renames
        return bool(renames) and any(not renames.keys().isdisjoint(_identifiers(a)) for a in annotations)

    def run(self) -> None:
        self.client()
        self.operations()
        self.definitions()

    # ---------------------------------------------------------------- client
    def client(self) -> None:
        old, new = self.old, self.new
        if old.client_name != new.client_name:
            self.add(
                "breaking", "client-renamed", f"{new.package}.{new.client_name}",
                f"the client class {old.client_name} (and Async{old.client_name}) is now {new.client_name}",
                self.new_loc.at("/info/x-client-name"),
            )
        self.credentials()
        if old.server_url != new.server_url:
            self.add(
                "compatible", "server-url-changed", "DEFAULT_BASE_URL",
                f"the default base URL changed from {old.server_url!r} to {new.server_url!r}",
                self.new_loc.at("/servers/0/url"),
            )

    def credentials(self) -> None:
        """What the client takes and the environment variables it reads (``x-env-vars``)."""
        old, new = self.old.auth, self.new.auth
        where = self.new_loc.at("/components/securitySchemes")
        client = f"{self.new.package}.{self.new.client_name}"
        for kind, label, args in (("basic", "API key and secret", "api_key/api_secret"), ("bearer", "bearer token", "bearer_token")):
            had, has = getattr(old, kind), getattr(new, kind)
            if had and not has:
                self.add("breaking", "credentials-removed", client, f"the client no longer takes a {label} ({args})", where)
            elif has and not had:
                self.add("compatible", "credentials-added", client, f"the client now takes a {label} ({args})", where)
        for attr, what, used in (
            ("key_env", "API key", old.basic and new.basic),
            ("secret_env", "API secret", old.basic and new.basic),
            ("token_env", "bearer token", old.bearer and new.bearer),
        ):
            was, now = getattr(old, attr), getattr(new, attr)
            if used and was != now:
                self.add(
                    "breaking", "env-var-renamed", f"{client}(${was})",
                    f"the client reads the {what} from ${now} instead of ${was} (x-env-vars)",
                    where,
                )
        if self.old.log_env != self.new.log_env:
            self.add(
                "breaking", "env-var-renamed", f"{self.new.package}.logging(${self.old.log_env})",
                f"debug logging is switched on by ${self.new.log_env} instead of ${self.old.log_env} (x-log-env)",
                self.new_loc.at("/info/x-log-env"),
            )

    # ---------------------------------------------------------------- operations
    def resource_renames(self) -> dict[str, str]:
        """Old resource attribute -> new one, for resources that are gone from the new API
        while every one of their operations (by operationId) is now in one new resource."""
        old_attrs = {r.attribute: r for r in self.old.resources}
        new_attrs = {r.attribute: r for r in self.new.resources}
        by_id = {op.operation_id: r.attribute for r in self.new.resources for op in r.operations}
        renames: dict[str, str] = {}
        for attr, resource in old_attrs.items():
            if attr in new_attrs:
                continue
            targets = {by_id.get(op.operation_id) for op in resource.operations}
            if len(targets) == 1:
                target = targets.pop()
                if target is not None and target not in old_attrs and target not in renames.values():
                    renames[attr] = target
        for old_attr, new_attr in renames.items():
            self.add(
                "breaking", "resource-renamed", f"client.{old_attr}",
                f"resource renamed to client.{new_attr} (calls through client.{old_attr} fail)",
                self.new_loc.operation(new_attrs[new_attr].operations[0]),
            )
        return renames

    def operations(self) -> None:
        renamed_resources = self.resource_renames()
        old_ops = _by_key((renamed_resources.get(r.attribute, r.attribute), op) for r in self.old.resources for op in r.operations)
        new_ops = _by_key((r.attribute, op) for r in self.new.resources for op in r.operations)
        unmatched_new = {k: v for k, v in new_ops.items() if k not in old_ops}
        for key, old_op in old_ops.items():
            subject = ".".join(key)
            if key in new_ops:
                new_op = new_ops[key]
                # An identical operation has nothing to report: every check below compares its
                # old and new attributes, except that types are translated through renames.
                if old_op != new_op or self.mentions_renamed(p.runtime_type for p in old_op.params):
                    self.operation(subject, old_op, new_op)
                continue
            renamed = next((k for k, op in unmatched_new.items() if op.operation_id == old_op.operation_id), None)
            if renamed is None:
                renamed = next(
                    (k for k, op in unmatched_new.items() if (op.http_method, op.path) == (old_op.http_method, old_op.path)),
                    None,
                )
            if renamed is None:
                self.add(
                    "breaking", "method-removed", subject,
                    f"method removed ({old_op.http_method} {old_op.path}, operationId {old_op.operation_id!r})",
                    self.old_loc.operation(old_op),
                )
                continue
            new_op = unmatched_new.pop(renamed)
            new_subject = ".".join(renamed)
            self.add(
                "breaking", "method-renamed", subject,
                f"method renamed to {new_subject} ({new_op.http_method} {new_op.path}, operationId {new_op.operation_id!r})",
                self.new_loc.operation(new_op),
            )
            self.operation(new_subject, old_op, new_op)
        for key, new_op in unmatched_new.items():
            self.add(
                "compatible", "method-added", ".".join(key),
                f"new method ({new_op.http_method} {new_op.path})",
                self.new_loc.operation(new_op),
            )

    def operation(self, subject: str, old: Operation, new: Operation) -> None:
        where = self.new_loc.operation(new)
        if old.success_status != new.success_status:
            self.add("breaking", "success-status-changed", subject, f"success status changed from {old.success_status} to {new.success_status}", where)
        if (old.http_method, old.path) != (new.http_method, new.path):
            self.add("compatible", "endpoint-changed", subject, f"now calls {new.http_method} {new.path} (was {old.http_method} {old.path})", where)
        if old.response_type != new.response_type:
            if old.response_type == "None":
                self.add("compatible", "response-type-changed", subject, f"now returns `{new.response_type}` (returned None)", where)
            elif new.response_type == "None":
                self.add("breaking", "response-type-changed", subject, f"now returns None (returned `{old.response_type}`)", where)
            else:
                for f in self.types(old.response_type, new.response_type, "response"):
                    code = "response-type-changed" if f.code == "type-changed" else f.code
                    self.add(f.kind, code, subject, f"return {f.message}" if code == "response-type-changed" else f.message, where)
        if (old.summary, old.description) != (new.summary, new.description):
            self.add("compatible", "description-changed", subject, "summary or description changed", where)
        old_params, new_params = _param_key(old.params), _param_key(new.params)
        for key, op in old_params.items():
            arg = f"{subject}({op.name})"
            if key not in new_params:
                self.add("breaking", "param-removed", arg, f"argument {op.name} ({op.location} {op.wire_name!r}) was removed", self.old_loc.param(old, op))
                continue
            np = new_params[key]
            loc = functools.partial(self.new_loc.param, new, np)
            if np.name != op.name:
                self.add("breaking", "param-renamed", arg, f"argument {op.name} is now called {np.name}", loc)
                arg = f"{subject}({np.name})"
            if np.required and not op.required:
                self.add("breaking", "param-became-required", arg, f"argument {np.name} is now required", loc)
            elif op.required and not np.required:
                self.add("compatible", "param-became-optional", arg, f"argument {np.name} is now optional", loc)
            if np.location != op.location:
                self.add("compatible", "param-moved", arg, f"now sent in the {np.location} (was {op.location})", loc)
            for f in self.types(op.runtime_type, np.runtime_type, "request"):
                self.add(f.kind, "param-type-changed" if f.code == "type-changed" else f.code, arg, f.message, loc)
            if op.description != np.description:
                self.add("compatible", "description-changed", arg, "description changed", loc)
        for key, np in new_params.items():
            if key in old_params:
                continue
            arg = f"{subject}({np.name})"
            loc = functools.partial(self.new_loc.param, new, np)
            if np.required:
                self.add("breaking", "required-param-added", arg, f"new required argument {np.name} ({np.location} {np.wire_name!r})", loc)
            else:
                self.add("compatible", "param-added", arg, f"new optional argument {np.name} ({np.location} {np.wire_name!r})", loc)

    # ---------------------------------------------------------------- models
    def directions(self, name: str) -> list[Direction] | None:
        """How callers meet a model in the new API; ``None`` when its fields need no comparison.

        A model that only a method's body is made of is compared as that method's arguments.
        A model no method uses any more is reported once (``model-unused``) by the caller.
        """
        new, old = self.new_usage, self.old_usage
        out: list[Direction] = []
        if name in new.request:
            out.append("request")
        if name in new.response:
            out.append("response")
        if out:
            return out
        if name in new.body:
            return None
        if name in old.request or name in old.response or name in old.body:
            return None
        return ["request", "response"]  # used by no method in either: importable, so either way

    @staticmethod
    def used(found: _Usage, name: str) -> bool:
        return name in found.request or name in found.response or name in found.body

    def definitions(self) -> None:
        old_defs = {d.name: d for d in self.old.definitions}
        new_defs = {d.name: d for d in self.new.definitions}
        for name, old_def in old_defs.items():
            subject = f"models.{name}"
            new_def = new_defs.get(name)
            if new_def is None and name in self.renames:
                new_def = new_defs[self.renames[name]]
                self.add("breaking", "model-renamed", subject, f"renamed to models.{new_def.name} (imports of {name} fail)", self.new_loc.definition(new_def.name))
                subject = f"models.{new_def.name}"
            elif new_def is None:
                self.add("breaking", "model-removed", subject, f"{name} is no longer generated (imports of it fail)", self.old_loc.definition(name))
                continue
            self.definition(subject, old_def, new_def)
        targets = set(self.renames.values())
        for name, new_def in new_defs.items():
            if name not in old_defs and name not in targets:
                self.add("compatible", "model-added", f"models.{name}", "new model" if isinstance(new_def, ModelDef) else "new type alias", self.new_loc.definition(name))

    def definition(self, subject: str, old: ModelDef | AliasDef, new: ModelDef | AliasDef) -> None:
        where = functools.partial(self.new_loc.definition, new.name)
        if old.description != new.description:
            self.add("compatible", "description-changed", subject, "description changed", where)
        if isinstance(old, ModelDef) and isinstance(new, ModelDef):
            self.redaction(subject, old, new)
        directions = self.directions(new.name)
        if directions is None:
            if not self.used(self.new_usage, new.name):
                self.add("compatible", "model-unused", subject, "no method uses it any more", where)
            return
        if old == new and not self.mentions_renamed(_annotations(old)):
            return  # identical (how it is used may differ, but that only matters to changes)
        if isinstance(old, AliasDef) and isinstance(new, AliasDef):
            for direction in directions:
                for f in self.types(old.type.annotation, new.type.annotation, direction):
                    self.add(f.kind, f.code, subject, f.message, where)
            return
        if not (isinstance(old, ModelDef) and isinstance(new, ModelDef)):
            was, now = ("model", "type alias") if isinstance(old, ModelDef) else ("type alias", "model")
            self.add("breaking", "type-changed", subject, f"was a {was}, now a {now}", where)
            return
        old_fields = {f.wire_name: f for f in old.fields}
        new_fields = {f.wire_name: f for f in new.fields}
        for wire, of in old_fields.items():
            nf = new_fields.get(wire)
            if nf is None:
                self.field_removed(subject, new.name, of, directions)
            else:
                self.field(subject, new.name, of, nf, directions)
        for wire, nf in new_fields.items():
            if wire in old_fields:
                continue
            at = f"{subject}.{nf.name}"
            loc = functools.partial(self.new_loc.field, new.name, wire)
            if "request" in directions and nf.required and not nf.read_only:
                self.add("breaking", "required-field-added", at, f"new required field {nf.name} ({wire!r}) must be given", loc)
            else:
                self.add("compatible", "field-added", at, f"new {'required' if nf.required else 'optional'} field {nf.name} ({wire!r})", loc)

    def redaction(self, subject: str, old: ModelDef, new: ModelDef) -> None:
        """``x-redact`` decides whether a secret shows in ``repr()``, logs and errors: losing
        it is breaking even though no signature changes (whatever the model's use)."""
        new_fields = {f.wire_name: f for f in new.fields}
        for of in old.fields:
            nf = new_fields.get(of.wire_name)
            if nf is None or of.redact == nf.redact:
                continue
            loc = functools.partial(self.new_loc.field, new.name, nf.wire_name)
            if of.redact:
                self.add(
                    "breaking", "redaction-removed", f"{subject}.{nf.name}",
                    f"field {nf.name} is no longer redacted (x-redact): its value now shows in repr(), logs and validation errors",
                    loc,
                )
            else:
                self.add("compatible", "redaction-added", f"{subject}.{nf.name}", f"field {nf.name} is now redacted (x-redact) in repr(), logs and errors", loc)

    def field_removed(self, subject: str, model: str, of: FieldDef, directions: list[Direction]) -> None:
        at = f"{subject}.{of.name}"
        loc = functools.partial(self.old_loc.field, model, of.wire_name)
        if "response" in directions:
            self.add("breaking", "response-field-removed", at, f"field {of.name} ({of.wire_name!r}) is no longer in responses", loc)
        if "request" in directions:
            self.add("breaking", "request-field-removed", at, f"field {of.name} ({of.wire_name!r}) can no longer be sent", loc)

    def field(self, subject: str, model: str, of: FieldDef, nf: FieldDef, directions: list[Direction]) -> None:
        at = f"{subject}.{nf.name}"
        loc = functools.partial(self.new_loc.field, model, nf.wire_name)
        if of.name != nf.name:
            self.add("breaking", "field-renamed", f"{subject}.{of.name}", f"attribute {of.name} is now {nf.name}", loc)
        if of.required and not nf.required:
            if "response" in directions:
                self.add("breaking", "response-field-became-optional", at, f"field {nf.name} may now be absent (None) in responses", loc)
            else:
                self.add("compatible", "field-became-optional", at, f"field {nf.name} is now optional", loc)
        elif nf.required and not of.required:
            if "request" in directions and not nf.read_only:
                self.add("breaking", "field-became-required", at, f"field {nf.name} is now required", loc)
            else:
                self.add("compatible", "field-became-required", at, f"field {nf.name} is now always present", loc)
        for direction in directions:
            for f in self.types(of.type.annotation, nf.type.annotation, direction):
                self.add(f.kind, "field-type-changed" if f.code == "type-changed" else f.code, at, f.message, loc)
        if of.description != nf.description:
            self.add("compatible", "description-changed", at, "description changed", loc)


def run(old: Path, new: Path, *, output_format: str = "text", package: str = "confluent_partner_v2") -> int:
    """The ``diff`` command: print the report; 1 if anything is breaking, else 0."""
    report = diff_specs(old, new, package=package)
    print(report.json() if output_format == "json" else report.text(), end="")
    return 1 if report.breaking else 0
